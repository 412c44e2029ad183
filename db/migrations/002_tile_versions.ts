import type { Knex } from 'knex';

/**
 * Data versions of the vector-tile layers, for their ETags (server/src/tiles/versions.ts).
 * One row per layer; statement-level triggers bump the versions of the layers a table feeds, inside the writing
 * transaction, so a new version becomes visible exactly when the data under it does.
 * A statement that changes nothing still bumps (a spurious cache miss, never a stale tile); a missing row is
 * recreated by the next write (upsert).
 */
const LAYER_SOURCES: Record<string, readonly string[]> = {
  parcels: ['parcels'],
  parcel_rights: ['parcels'],
  owners: ['parcels'],
  organisations: ['parcels'],
  qpv: ['qpv'],
  communes: ['communes'],
  subsectors: ['subsectors'],
  reports: ['reports'],
};

const LAYERS = [...new Set(Object.values(LAYER_SOURCES).flat())];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('data_versions', (t) => {
    t.text('layer').primary();
    t.bigInteger('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex('data_versions').insert(LAYERS.map((layer) => ({ layer })));
  await knex.raw(`
    CREATE FUNCTION bump_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO data_versions AS d (layer) SELECT unnest(TG_ARGV)
      ON CONFLICT (layer) DO UPDATE SET version = d.version + 1, updated_at = now();
      RETURN NULL;
    END $$`);
  for (const [table, layers] of Object.entries(LAYER_SOURCES)) {
    const args = layers.map((l) => `'${l}'`).join(', '); // constants above, not user input
    await knex.raw(`
      CREATE TRIGGER ${table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION bump_data_versions(${args})`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of Object.keys(LAYER_SOURCES)) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_data_version ON ${table}`);
  await knex.raw('DROP FUNCTION IF EXISTS bump_data_versions()');
  await knex.schema.dropTableIfExists('data_versions');
}
