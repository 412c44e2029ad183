import type { Knex } from 'knex';

/**
 * Initial schema. Geometries are EPSG:4326 with GiST indexes; areas are computed in m² on the
 * ellipsoid (geography) by the queries, official cadastral areas are stored as published.
 */
export async function up(knex: Knex): Promise<void> {
  // ---- territory configuration -------------------------------------------------------------
  await knex.schema.createTable('territory', (t) => {
    t.integer('id').primary().defaultTo(1);
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.string('siren', 9);
    t.text('public_domain_owner').notNullable(); // 'commune' | 'agglomeration'
    t.double('delegation_threshold').notNullable().defaultTo(0.6);
    t.text('triage_service');
    t.integer('urgency_resolve_hours');
    t.integer('duplicates_radius_m').notNullable().defaultTo(30);
    t.integer('duplicates_window_days').notNullable().defaultTo(14);
    t.jsonb('config').notNullable(); // the imported configuration, as given
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('sectors', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('delegate_name');
    t.text('delegate_email');
    t.text('delegate_phone');
  });
  await knex.schema.createTable('organisations', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('kind').notNullable(); // agglomeration | commune | landlord | state | departement | region | public_establishment | other
    t.string('siren', 9).unique();
    t.string('insee', 5);
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('services', (t) => {
    t.text('code').primary();
    t.text('organisation_code').notNullable().references('organisations.code');
    t.text('name').notNullable();
    t.text('email');
    t.text('phone');
  });
  await knex.schema.createTable('themes', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('mode').notNullable(); // ownership | competence
    t.text('service_code').references('services.code');
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('managers', (t) => {
    t.text('organisation_code').notNullable().references('organisations.code');
    t.text('theme_code').notNullable(); // a theme code or '*'
    t.text('service_code').notNullable().references('services.code');
    t.primary(['organisation_code', 'theme_code']);
  });
  await knex.schema.createTable('communes', (t) => {
    t.string('insee', 5).primary();
    t.text('name').notNullable();
    t.string('siren', 9);
    t.string('departement', 3);
    t.integer('population');
    t.text('sector_code').references('sectors.code');
    t.boolean('in_territory').notNullable().defaultTo(false);
    t.specificType('geom', 'geometry(MultiPolygon,4326)');
    t.index('geom', 'communes_geom_gist', 'gist');
  });
  await knex.schema.createTable('private_land_services', (t) => {
    t.string('commune_insee', 5).primary();
    t.text('service_code').notNullable().references('services.code');
  });
  await knex.schema.createTable('categories', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('theme_code').notNullable().references('themes.code');
    t.specificType('also_notify', 'text[]').notNullable().defaultTo('{}');
    t.integer('ack_hours').notNullable();
    t.integer('resolve_hours').notNullable();
    t.integer('resolve_hours_qpv');
    t.jsonb('seasonal');
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('urgency_criteria', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.integer('sort_order').notNullable().defaultTo(0);
  });

  // ---- land: parcels, owners, rights, QPV -------------------------------------------------
  await knex.schema.createTable('parcels', (t) => {
    t.string('idu', 14).primary();
    t.string('commune_insee', 5).notNullable();
    t.string('prefix', 3).notNullable();
    t.string('section', 2).notNullable();
    t.string('number', 4).notNullable();
    t.integer('official_area_m2');
    t.specificType('geom', 'geometry(MultiPolygon,4326)').notNullable();
    t.text('source_vintage');
    t.date('source_updated');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index('geom', 'parcels_geom_gist', 'gist');
    t.index(['commune_insee', 'section', 'number']);
  });
  await knex.schema.createTable('parcel_history', (t) => {
    t.bigIncrements('id');
    t.string('idu', 14).notNullable().index();
    t.integer('official_area_m2');
    t.specificType('geom', 'geometry(MultiPolygon,4326)');
    t.text('source_vintage');
    t.timestamp('replaced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('change').notNullable(); // updated | removed
  });
  await knex.schema.createTable('owners', (t) => {
    t.increments('id');
    t.text('owner_key').notNullable().unique(); // SIREN, or département + MAJIC number when no SIREN
    t.string('siren', 9).index();
    t.text('majic');
    t.string('group_code', 1);
    t.text('legal_form');
    t.text('legal_form_short');
    t.text('name').notNullable();
    t.text('kind').notNullable(); // resolved kind, see domain/owners.ts
    t.text('organisation_code').references('organisations.code');
    t.text('manual_organisation_code'); // planner correction, wins over automatic resolution
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('parcel_rights', (t) => {
    t.string('idu', 14).notNullable();
    t.integer('owner_id').notNullable().references('owners.id');
    t.string('right_code', 2).notNullable();
    t.primary(['idu', 'owner_id', 'right_code']);
    t.index('owner_id');
  });
  await knex.schema.createTable('qpv', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('communes');
    t.text('list');
    t.specificType('geom', 'geometry(MultiPolygon,4326)').notNullable();
    t.index('geom', 'qpv_geom_gist', 'gist');
  });
  await knex.schema.createTable('imports', (t) => {
    t.increments('id');
    t.text('kind').notNullable();
    t.text('file_name').notNullable();
    t.string('sha256', 64).notNullable();
    t.jsonb('summary').notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // ---- people --------------------------------------------------------------------------------
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable().unique();
    t.text('name').notNullable();
    t.text('role').notNullable(); // admin | planner | gup_officer | commune_user | service_agent
    t.text('password_hash').notNullable();
    t.string('commune_insee', 5);
    t.text('service_code');
    t.text('organisation_code');
    t.boolean('active').notNullable().defaultTo(true);
    t.boolean('demo').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index('user_id');
  });
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('user_id');
    t.text('action').notNullable();
    t.text('entity');
    t.text('entity_id');
    t.jsonb('details');
  });

  // ---- sub-sectors ---------------------------------------------------------------------------
  await knex.schema.createTable('subsectors', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    t.text('description');
    t.text('procedure_notes');
    t.text('status').notNullable().defaultTo('active'); // active | archived
    t.integer('current_version').notNullable().defaultTo(1);
    t.specificType('geom', 'geometry(MultiPolygon,4326)').notNullable();
    t.text('outcome').notNullable(); // delegated | shared
    t.text('delegate_organisation_code');
    t.double('threshold').notNullable();
    t.boolean('borderline').notNullable().defaultTo(false);
    t.jsonb('shares').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index('geom', 'subsectors_geom_gist', 'gist');
  });
  await knex.schema.createTable('subsector_versions', (t) => {
    t.integer('subsector_id').notNullable().references('subsectors.id');
    t.integer('version').notNullable();
    t.text('name').notNullable();
    t.text('description');
    t.text('procedure_notes');
    t.text('status').notNullable();
    t.specificType('geom', 'geometry(MultiPolygon,4326)').notNullable();
    t.text('outcome').notNullable();
    t.text('delegate_organisation_code');
    t.double('threshold').notNullable();
    t.boolean('borderline').notNullable();
    t.jsonb('shares').notNullable();
    t.boolean('overlap_allowed').notNullable().defaultTo(false);
    t.text('change').notNullable(); // created | edited | recomputed | archived
    t.integer('author_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['subsector_id', 'version']);
  });

  // ---- reports -------------------------------------------------------------------------------
  await knex.schema.createTable('reports', (t) => {
    t.increments('id');
    t.text('reference').notNullable().unique();
    t.text('category_code').notNullable().references('categories.code');
    t.text('description').notNullable();
    t.boolean('urgent').notNullable().defaultTo(false);
    t.text('urgency_criterion');
    t.boolean('urgency_not_justified').notNullable().defaultTo(false);
    t.text('status').notNullable();
    t.specificType('geom', 'geometry(Point,4326)').notNullable();
    t.string('commune_insee', 5).notNullable();
    t.string('parcel_idu', 14);
    t.jsonb('owners').notNullable().defaultTo('[]');
    t.text('qpv_code');
    t.integer('subsector_id');
    t.text('service_code').notNullable();
    t.jsonb('routing').notNullable();
    t.boolean('unresolved').notNullable().defaultTo(false);
    t.timestamp('ack_due_at', { useTz: true }).notNullable();
    t.timestamp('resolve_due_at', { useTz: true }).notNullable();
    t.timestamp('acknowledged_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.integer('duplicate_of').references('reports.id');
    t.integer('created_by').notNullable().references('users.id');
    t.text('idempotency_key');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['created_by', 'idempotency_key']);
    t.index('geom', 'reports_geom_gist', 'gist');
    t.index(['service_code', 'status']);
    t.index(['commune_insee', 'status']);
  });
  await knex.schema.createTable('report_events', (t) => {
    t.bigIncrements('id');
    t.integer('report_id').notNullable().references('reports.id').onDelete('CASCADE');
    t.text('from_status');
    t.text('to_status');
    t.text('kind').notNullable(); // transition | comment | info | follow | urgency_flag
    t.text('comment');
    t.jsonb('details');
    t.integer('user_id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index('report_id');
  });
  await knex.schema.createTable('report_followers', (t) => {
    t.integer('report_id').notNullable().references('reports.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id');
    t.timestamp('since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['report_id', 'user_id']);
  });
  await knex.schema.createTable('report_photos', (t) => {
    t.increments('id');
    t.integer('report_id').notNullable().references('reports.id').onDelete('CASCADE');
    t.text('mime').notNullable();
    t.binary('data').notNullable();
    t.binary('thumbnail').notNullable();
    t.integer('width');
    t.integer('height');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.integer('report_id');
    t.text('status').notNullable().defaultTo('pending'); // pending | sent | kept
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'outbox', 'report_photos', 'report_followers', 'report_events', 'reports', 'subsector_versions', 'subsectors',
    'audit_log', 'sessions', 'users', 'imports', 'qpv', 'parcel_rights', 'owners', 'parcel_history', 'parcels',
    'urgency_criteria', 'categories', 'private_land_services', 'communes', 'managers', 'themes', 'services',
    'organisations', 'sectors', 'territory',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
