/**
 * `npm run user:create -- --email a@b.fr --name "Nom" --role planner [--commune 91027] [--service code] [--organisation code]`
 * The password is read from GUP_PASSWORD, or asked on the terminal (never passed on the command line).
 */
import { parseArgs } from 'node:util';
import readline from 'node:readline/promises';
import { z } from 'zod';
import { hashPassword } from '../auth/passwords.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../data/db.js';
import { audit, upsertUser } from '../data/users.js';
import { passwordProblem } from '../domain/accounts.js';
import { ROLES } from '../domain/territory.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, commune: { type: 'string' }, service: { type: 'string' }, organisation: { type: 'string' } },
});
const schema = z.object({
  email: z.string().email(),
  name: z.string().min(1),
  role: z.enum(ROLES),
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).optional(),
  service: z.string().optional(),
  organisation: z.string().optional(),
}).refine((v) => v.role !== 'commune_user' || v.commune, { message: '--commune est obligatoire pour le rôle commune_user' })
  .refine((v) => v.role !== 'service_agent' || v.service, { message: '--service est obligatoire pour le rôle service_agent' });
const parsed = schema.safeParse(values);
if (!parsed.success) {
  console.error(`Paramètres invalides : ${parsed.error.issues.map((i) => `${i.path.join('.') || ''} ${i.message}`).join('; ')}`);
  console.error(`Usage : npm run user:create -- --email x@y.fr --name "Nom" --role <${ROLES.join('|')}> [--commune INSEE] [--service CODE]`);
  process.exit(2);
}
let password = process.env.GUP_PASSWORD;
if (!password) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  password = await rl.question('Mot de passe (12 caractères minimum) : ');
  rl.close();
}
const problem = passwordProblem(password);
if (problem) {
  console.error(`Mot de passe refusé : ${problem}.`);
  process.exit(2);
}
const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const u = parsed.data;
  const id = await upsertUser(db.knex, {
    email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(password), communeInsee: u.commune ?? null,
    serviceCode: u.service ?? null, organisationCode: u.organisation ?? null,
  });
  await audit(db.knex, { action: 'user.create', entity: 'user', entityId: String(id), details: { email: u.email, role: u.role } });
  console.log(`Compte ${u.email} (${u.role}) enregistré, id ${id}.`);
} finally {
  await db.close();
}
