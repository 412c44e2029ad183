/**
 * `npm run import -- <files or folders>`: loads cadastre, QPV, communes, DGFiP owners and territory configuration
 * files into the database configured by the environment (DATABASE_URL, or the embedded one in GUP_DATA_DIR).
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../data/db.js';
import { ImportError, importPaths } from '../import/index.js';

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help')) {
  console.log('Usage : npm run import -- <fichiers ou dossiers>\n'
    + 'Formats : cadastre-{insee}-parcelles.json[.gz] (Etalab), contours QPV (GeoJSON code_qp/nom_qp),\n'
    + 'contours de communes (GeoJSON code/nom), fichier DGFiP des parcelles des personnes morales (.csv, latin-1),\n'
    + 'configuration du territoire (JSON, cf. geodata/territoire.demo.json).');
  process.exit(args.length === 0 ? 2 : 0);
}

const config = loadConfig();
const started = Date.now();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
console.log(`Base : ${db.engine === 'embedded' ? `intégrée (${config.dataDir})` : 'PostgreSQL'} — PostGIS ${db.postgisVersion}`);
try {
  const summaries = await importPaths(db.knex, args, {
    onStart: (file, kind) => process.stdout.write(`→ ${file} [${kind}] … `),
    onFile: (s) => console.log(`${s.read} lus, ${s.inserted} ajoutés, ${s.updated} modifiés, ${s.unchanged} inchangés, ${s.removed} retirés (${s.ms} ms)${s.note ? ` — ${s.note}` : ''}`),
    onSkip: (file) => console.log(`  (ignoré : ${file})`),
  });
  const total = summaries.reduce((acc, s) => ({ inserted: acc.inserted + s.inserted, updated: acc.updated + s.updated, removed: acc.removed + s.removed }), { inserted: 0, updated: 0, removed: 0 });
  console.log(`Terminé : ${summaries.length} fichier(s), ${total.inserted} ajouts, ${total.updated} modifications, ${total.removed} retraits en ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (err) {
  console.error(`\nÉchec : ${err instanceof ImportError ? err.message : (err as Error).stack}`);
  console.error('Le fichier en cause n\'a rien écrit (une transaction par fichier).');
  process.exitCode = 1;
} finally {
  await db.close();
}
