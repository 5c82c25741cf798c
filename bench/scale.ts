/**
 * Only issue 19's benchmark rows (`npx tsx bench/scale.ts`): the ack against the minimal server
 * and the scale-out storm. `npm run bench` runs them too, beside everything else.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/fixtures.js';
import { scaleSection } from './scale-section.js';

const began = Date.now();
const apps = Number(process.env.STORM_APPS ?? '20');
const section = await scaleSection(repoRoot, {
  stormApps: apps,
  step: (what) => process.stderr.write(`bench: ${what} (${Math.round((Date.now() - began) / 1000)} s)\n`),
});
const header = ['what', 'measured', 'budget', 'verdict'];
const table = [header, header.map(() => '---'), ...section.rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
process.stdout.write(
  `\n${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; 1-min load ${loadavg()[0]?.toFixed(2) ?? '?'} after.\n\n${table}\n\n${section.notes.map((n) => `- ${n}`).join('\n')}\n`,
);
await writeFile(
  join(repoRoot, 'bench', 'results-scale.json'),
  `${JSON.stringify({ at: new Date().toISOString(), ...section }, null, 2)}\n`,
);
process.exit(0);
