/**
 * Where the acknowledgement's CPU goes: one server (ours: bench/webhook-host.ts, or the minimal
 * reference: bench/minimal-server.ts) under node --cpu-prof, 10 connections of signed pushes for
 * a while, then the profile's top self and inclusive frames (idle excluded) by package and frame.
 *   npx tsx bench/ack-profile.ts [ours|minimal] [seconds=10] [connections=10]
 * The .cpuprofile stays in the printed folder (open it in Chrome DevTools for the flame chart).
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../src/local/azurite.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { load, startHost } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';
import { layerOf } from './profile-layers.js';

const [side = 'ours', seconds = '10', connections = '10'] = process.argv.slice(2);
const script = side === 'minimal' ? 'minimal-server.ts' : 'webhook-host.ts';
const dir = await mkdtemp(join(tmpdir(), 'ack-profile-'));
const azurite = await startAzurite();
const server = await startHost<{ url: string }>(repoRoot, script, {
  AZURE_STORAGE: azurite.connectionString,
  NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`,
});
const push = pushTemplate();
const next = () => {
  const { after, delivery } = freshIds();
  return push(after, delivery);
};
/** The server process's CPU time (user + system, ms) from /proc: per ack, it does not depend on the machine's load as throughput does. */
const cpuMs = async (pid: number | undefined) => {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};
const warm = await load(server.info.url, Number(connections), 2, next);
const cpuBefore = [await cpuMs(server.pid), await cpuMs(azurite.pid)];
const figures = await load(server.info.url, Number(connections), Number(seconds), next);
const [serverCpu, azuriteCpu] = [(await cpuMs(server.pid)) - (cpuBefore[0] ?? 0), (await cpuMs(azurite.pid)) - (cpuBefore[1] ?? 0)];
await server.stop();
await azurite.stop();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
// The server's own profile: tsx's loader thread writes one too, as long but mostly idle; take the busiest.
const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
const profiles = await Promise.all(
  files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }),
);
const busyOf = (q: { nodes: Node[]; samples: number[]; timeDeltas: number[] }) => {
  const idle = new Set(q.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return q.samples.reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (q.timeDeltas[i] ?? 0)), 0);
};
const p = profiles.sort((a, b) => busyOf(b) - busyOf(a))[0];
if (!p) throw new Error(`no profile in ${dir}`);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const where = (url: string) => {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] ?? url;
  if (url.startsWith('node:')) return url;
  return url.replace(`file://${repoRoot}/`, '');
};
const frame = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const pkg = new Map<string, number>();
const inclusive = new Map<string, number>();
const layers = new Map<string, number>();
const stackOf = (id: number) => {
  const out: Node['callFrame'][] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push((byId.get(cur) as Node).callFrame);
  return out;
};
// Layers count from the first sample inside a request handler: start-up (module loading, transpiling) is not the ack's.
const handlers = /^(githubWebhook|handle)$/;
const firstServing = p.samples.findIndex((id) => stackOf(id).some((f) => handlers.test(f.functionName)));
let busy = 0;
let busyServing = 0;
p.samples.forEach((id, i) => {
  const n = byId.get(id);
  const t = p.timeDeltas[i] ?? 0;
  if (!n || n.callFrame.functionName === '(idle)') return;
  busy += t;
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + t);
  const layer = i >= firstServing ? layerOf(stackOf(id)) : undefined;
  if (layer) {
    add(layers, layer);
    busyServing += t;
  }
  add(self, frame(n));
  add(pkg, where(n.callFrame.url).split('/').slice(0, 3).join('/'));
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = frame(byId.get(cur) as Node);
    if (!seen.has(k)) add(inclusive, k);
    seen.add(k);
  }
});
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
const acks = warm.requests + figures.requests;
const perAck = [...layers]
  .sort((a, b) => b[1] - a[1])
  .map(([k, t]) => `${(t / 1000 / acks).toFixed(3).padStart(6)} ms  ${k}`)
  .join('\n');
process.stdout.write(
  `${side}: ${figures.throughputRps} req/s, p50 ${figures.latencyMs.p50} / p99 ${figures.latencyMs.p99} ms; CPU per ack ${(serverCpu / figures.requests).toFixed(2)} ms in the server, ${(azuriteCpu / figures.requests).toFixed(2)} ms in azurite (${figures.requests} acks; 1-min load ${loadavg()[0]?.toFixed(1) ?? '?'}); busy ${Math.round(busy / 1000)} ms of the profile (${dir})\n` +
    `--- by layer, ms per ack (${acks} acks, start-up excluded; the profiler adds its own overhead)\n${perAck}\n${(busyServing / 1000 / acks).toFixed(3).padStart(6)} ms  total\n` +
    `--- self time by package (% of busy)\n${top(pkg, 20)}\n--- self time by frame\n${top(self, 30)}\n--- inclusive\n${top(inclusive, 50)}\n`,
);
process.exit(0);
