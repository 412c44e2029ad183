import type { Knex } from 'knex';

/**
 * Issue 14 (DESIGN 3.7, 3.8): sub-sector management conventions, information to the communes (broadcasts and their
 * acknowledgements), and the directory's extra fields on services (referents, hours, deputy, last verified) with the
 * reminders sent for entries not verified for six months.
 */
export async function up(knex: Knex): Promise<void> {
  // one convention per sub-sector (cahier des charges localisé); obligations as JSON (theme × task × service × frequency × delay)
  await knex.schema.createTable('subsector_conventions', (t) => {
    t.integer('subsector_id').primary().references('subsectors.id');
    t.text('title').notNullable();
    t.jsonb('parties').notNullable().defaultTo('[]'); // organisation codes
    t.text('status').notNullable(); // draft | signed | expired
    t.date('valid_from');
    t.date('valid_to');
    t.jsonb('obligations').notNullable().defaultTo('[]');
    t.binary('document'); // the signed PDF
    t.text('document_name');
    t.integer('document_size');
    t.timestamp('document_uploaded_at', { useTz: true });
    t.integer('updated_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`CREATE INDEX subsector_conventions_signed_idx ON subsector_conventions (subsector_id) WHERE status = 'signed'`);

  await knex.schema.createTable('broadcasts', (t) => {
    t.increments('id');
    t.text('kind').notNullable(); // collection_disruption | works | weather_alert | facility_closure | illegal_encampment
    t.text('severity').notNullable(); // info | orange | red
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.text('area_kind').notNullable(); // communes | qpv | polygon
    t.jsonb('area_codes').notNullable().defaultTo('[]'); // INSEE or QPV codes as given
    t.specificType('geom', 'geometry(MultiPolygon,4326)'); // the drawn area
    t.specificType('communes', 'text[]').notNullable(); // the communes concerned (computed on issue)
    t.timestamp('valid_from', { useTz: true }).notNullable();
    t.timestamp('valid_to', { useTz: true }).notNullable();
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX broadcasts_communes_gin ON broadcasts USING gin (communes)');
  await knex.schema.createTable('broadcast_acks', (t) => {
    t.integer('broadcast_id').notNullable().references('broadcasts.id').onDelete('CASCADE');
    t.string('commune_insee', 5).notNullable();
    t.integer('user_id').notNullable().references('users.id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['broadcast_id', 'commune_insee']);
  });

  // directory fields of a service, as configured: referents, hours, deputy, verifiedAt, communes, qpv
  await knex.schema.alterTable('services', (t) => {
    t.jsonb('directory');
  });
  // one reminder per service and six-month period for an entry not verified
  await knex.schema.createTable('directory_reminders', (t) => {
    t.text('service_code').notNullable();
    t.text('period').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['service_code', 'period']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('directory_reminders');
  await knex.schema.alterTable('services', (t) => {
    t.dropColumn('directory');
  });
  await knex.schema.dropTableIfExists('broadcast_acks');
  await knex.schema.dropTableIfExists('broadcasts');
  await knex.schema.dropTableIfExists('subsector_conventions');
}
