/**
 * API keys of the Open311 façade (/open311/v2/), one commune each:
 * - `npm run open311:key -- --commune 91027 --label "Logiciel mairie"` creates a key (printed once; only its SHA-256 is
 *   stored) under the commune's service account (created on first use, role commune_user, no usable password);
 * - `npm run open311:key -- --list` lists the keys; `npm run open311:key -- --revoke 3` revokes one.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { listKeys } from '../data/open311.js';
import { openDatabase } from '../data/db.js';
import { AppError } from '../http/errors.js';
import { createOpen311Key, revokeOpen311Key } from '../services/open311.js';

const { values } = parseArgs({ options: { commune: { type: 'string' }, label: { type: 'string' }, list: { type: 'boolean' }, revoke: { type: 'string' } } });
const usage = 'Usage : npm run open311:key -- --commune INSEE --label "Logiciel de la mairie"  |  --list  |  --revoke ID';
if (!values.list && !values.revoke && (!values.commune || !/^[0-9][0-9AB][0-9]{3}$/.test(values.commune) || !values.label?.trim())) {
  console.error(`Paramètres invalides : --commune (code INSEE) et --label sont obligatoires.\n${usage}`);
  process.exit(2);
}
const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  if (values.list) {
    for (const k of await listKeys(db.knex)) console.log(`${k.id}\t${k.communeInsee}\t${k.active ? 'active' : 'révoquée'}\t${new Date(k.createdAt).toISOString()}\t${k.label}\t${k.userEmail}`);
  } else if (values.revoke) {
    await revokeOpen311Key(db.knex, Number(values.revoke));
    console.log(`Clé ${values.revoke} révoquée.`);
  } else {
    const k = await createOpen311Key(db.knex, { communeInsee: values.commune!, label: values.label! });
    console.log(`Clé Open311 n° ${k.keyId} pour ${k.communeName} (${values.commune}), compte ${k.email} :\n\n  ${k.key}\n`);
    console.log('Elle n\'est affichée qu\'une fois : transmettez-la à l\'éditeur du logiciel (paramètre api_key de POST /open311/v2/requests.json).');
  }
} catch (err) {
  if (err instanceof AppError) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
} finally {
  await db.close();
}
