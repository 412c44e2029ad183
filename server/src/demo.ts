import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Database } from './data/db.js';
import { hashPassword } from './auth/passwords.js';
import { paths } from './config.js';
import { hasTerritory } from './data/territory.js';
import { disableDemoAccounts, enableDemoAccounts, hasAnyUser, upsertUser } from './data/users.js';
import { loadDemoActivity } from './services/demo-activity.js';
import { territoryConfigSchema } from './domain/territory.js';
import { importPaths } from './import/index.js';

/**
 * Demo mode: on an empty database, imports the shipped demo data (geodata/) and creates the demo accounts of the
 * configuration with its demo password. Returns whether anything was loaded.
 */
export async function loadDemoIfEmpty(db: Database, log: (msg: string) => void = () => {}, folder = paths.demoGeodata): Promise<boolean> {
  const { knex } = db;
  if (await hasTerritory(knex)) {
    // data imported by hand (npm run import) before the first start: still give the demo its accounts
    if (!(await hasAnyUser(knex))) await createDemoAccounts(knex);
    return false;
  }
  log(`Base vide : import des données de démonstration (${folder})…`);
  await importPaths(knex, [folder], { onFile: (s) => log(`  ${s.file} : ${s.read} lus, ${s.inserted} ajoutés (${s.ms} ms)`) });
  await createDemoAccounts(knex);
  log('Comptes de démonstration créés.');
  log(`Activité de démonstration : ${await loadDemoActivity(db)} signalements synthétiques sur douze mois.`);
  return true;
}

/**
 * Start-up: in demo mode, loads the demo on an empty database (loadDemoIfEmpty) and re-enables demo accounts disabled
 * by an earlier start outside demo mode; outside it, the demo accounts (published password) are disabled and their
 * sessions ended, and the log says so. Returns the number of demo accounts disabled.
 */
export async function applyDemoMode(db: Database, demo: boolean, log: (msg: string) => void = () => {}): Promise<number> {
  const { knex } = db;
  if (demo) {
    await loadDemoIfEmpty(db, log);
    const enabled = await enableDemoAccounts(knex);
    if (enabled > 0) log(`Mode démonstration : ${enabled} compte(s) de démonstration réactivé(s).`);
    return 0;
  }
  const disabled = await disableDemoAccounts(knex);
  log(`Mode démonstration désactivé (GUP_DEMO) : les comptes de démonstration ne peuvent pas se connecter${disabled ? ` (${disabled} désactivé(s))` : ''}.`);
  return disabled;
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
