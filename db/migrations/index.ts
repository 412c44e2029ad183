import type { Knex } from 'knex';
import * as m001 from './001_init.js';
import * as m002 from './002_tile_versions.js';
import * as m003 from './003_reports.js';
import * as m004 from './004_outbox_delivery.js';
import * as m005 from './005_stats.js';
import * as m006 from './006_conventions_broadcasts_directory.js';
import * as m007 from './007_diagnostics.js';
import * as m008 from './008_tokens_oidc.js';
import * as m009 from './009_admin.js';
import * as m010 from './010_bilans.js';
import * as m011 from './011_stats_rollup.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Ordered list of migrations; add new ones at the end, never edit a shipped one. */
const migrations: Record<string, Migration> = {
  '001_init': m001,
  '002_tile_versions': m002,
  '003_reports': m003,
  '004_outbox_delivery': m004,
  '005_stats': m005,
  '006_conventions_broadcasts_directory': m006,
  '007_diagnostics': m007,
  '008_tokens_oidc': m008,
  '009_admin': m009,
  '010_bilans': m010,
  '011_stats_rollup': m011,
};

/** knex migration source over the TypeScript modules above (no file-system scanning, works under tsx and vitest). */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
