import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { hashPassword } from './auth/passwords.js';
import { paths } from './config.js';
import { upsertUser } from './data/users.js';
import { loadDemoActivity } from './services/demo-activity.js';
import { territoryConfigSchema } from './domain/territory.js';
import { importPaths } from '../../geodata/import/index.js';

/** True when the database holds no territory yet. */
export async function isEmpty(knex: Knex): Promise<boolean> {
  const row = await knex('territory').first('id');
  return !row;
}

/**
 * Demo mode: on an empty database, imports the shipped demo data (geodata/) and creates the demo accounts of the
 * configuration with its demo password. Returns whether anything was loaded.
 */
export async function loadDemoIfEmpty(knex: Knex, log: (msg: string) => void = () => {}, folder = paths.demoGeodata): Promise<boolean> {
  if (!(await isEmpty(knex))) {
    // data imported by hand (npm run import) before the first start: still give the demo its accounts
    if (!(await knex('users').first('id'))) await createDemoAccounts(knex);
    return false;
  }
  log(`Base vide : import des données de démonstration (${folder})…`);
  await importPaths(knex, [folder], { onFile: (s) => log(`  ${s.file} : ${s.read} lus, ${s.inserted} ajoutés (${s.ms} ms)`) });
  await createDemoAccounts(knex);
  log('Comptes de démonstration créés.');
  log(`Activité de démonstration : ${await loadDemoActivity(knex)} signalements synthétiques sur douze mois.`);
  return true;
}

/** Creates (or refreshes) the configuration's demo accounts with its demo password. */
export async function createDemoAccounts(knex: Knex, configFile = path.join(paths.demoGeodata, 'territoire.demo.json')): Promise<number> {
  const cfg = territoryConfigSchema.parse(JSON.parse(await readFile(configFile, 'utf8')));
  if (!cfg.demoPassword) return 0;
  const passwordHash = await hashPassword(cfg.demoPassword);
  for (const u of cfg.demoUsers) {
    await upsertUser(knex, {
      email: u.email, name: u.name, role: u.role, passwordHash, communeInsee: u.commune ?? null, serviceCode: u.service ?? null,
      organisationCode: u.organisation ?? null, demo: true,
    });
  }
  return cfg.demoUsers.length;
}
