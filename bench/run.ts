/**
 * `npm run bench` (after `npm run build`): cold start, webhook acknowledgement and pipeline
 * reaction times, printed as a markdown table with the machine they ran on and written to
 * bench/results.json. Everything talks to 127.0.0.1 only; each part is bounded in count and time.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/fixtures.js';
import { coldStart } from './cold-start.js';
import { webhook } from './webhook.js';
import { pipelineReactions } from './pipeline.js';
import { acrBatch } from './acr-batch.js';
import { webhookMemory } from './webhook-memory.js';
import { verificationBench } from './verification.js';
import { kubeIdle } from './kube-idle.js';
import { inflight } from './inflight.js';
import { ackMemory } from './ack-memory.js';
import { scaleSection } from './scale-section.js';
import { round } from './stats.js';
import { historyBench, historyTable } from './history.js';

const began = Date.now();
const machine = () => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverage1m: round(loadavg()[0] ?? 0, 2),
});

const step = (what: string) => process.stderr.write(`bench: ${what} (${Math.round((Date.now() - began) / 1000)} s)\n`);

const machineBefore = machine();
step('cold start');
const cold = await coldStart(repoRoot, 9);
step('webhook acknowledgement');
const hook = await webhook(repoRoot, { connections: 10, durationS: 10, sequentialDurationS: 5, duplicateDurationS: 5 });
step('pipeline reaction times');
const reactions = await pipelineReactions(3);
step('ACR batch of 1,000 events');
const batch = await acrBatch(3);
step('webhook bodies without the secret: memory');
const memory = await webhookMemory(repoRoot);
step('Kubernetes fake at rest (2 and 52 Deployments)');
const idle = await kubeIdle();
step('host memory over 10,000 webhook acknowledgements');
const acks = await ackMemory();
step('pipeline throughput with 1, 10 and 50 releases in flight, then memory to 1,000 releases');
const flight = await inflight();
const scale = await scaleSection(repoRoot, { step });
step('cost as history grows: 0 / 10 k / 100 k stored releases');
const history = await historyBench([0, 10_000, 100_000]);
const loadAfter = round(loadavg()[0] ?? 0, 2);
// Error rates, not timings: run after the load reading so the CPU-bound simulation does not colour it.
step('verification statistics (Monte Carlo over the decision code)');
const verification = verificationBench();

const ok = (pass: boolean) => (pass ? 'within' : '**over**');
const ms = (v: number) => `${v} ms`;
const s = (v: number) => `${v} s`;
const rows: string[][] = [
  [
    `cold start, bundled \`${cold.bundled.file}\` (median / p90 of ${cold.runs})`,
    `${ms(cold.bundled.medianMs)} / ${ms(cold.bundled.p90Ms)}`,
    `< ${cold.budgetMs} ms`,
    ok(cold.bundled.p90Ms < cold.budgetMs),
  ],
  [
    'cold start, same sources unbundled (ESM, 1:1 compiled; median / p90)',
    `${ms(cold.unbundled.medianMs)} / ${ms(cold.unbundled.p90Ms)}`,
    '—',
    'for comparison',
  ],
  [
    `webhook ack, new delivery + new commit each, ${hook.unique.connections} connections × ${hook.unique.durationS} s (p50 / p90 / p99 / max)`,
    `${hook.unique.latencyMs.p50} / ${hook.unique.latencyMs.p90} / ${hook.unique.latencyMs.p99} / ${hook.unique.latencyMs.max} ms; ${hook.unique.throughputRps} req/s; status ${JSON.stringify(hook.unique.status)}`,
    'p99 < 50 ms',
    ok(hook.unique.latencyMs.p99 < hook.budgetP99Ms),
  ],
  [
    `webhook ack, same, 1 connection × ${hook.sequential.durationS} s (p50 / p90 / p99 / max)`,
    `${hook.sequential.latencyMs.p50} / ${hook.sequential.latencyMs.p90} / ${hook.sequential.latencyMs.p99} / ${hook.sequential.latencyMs.max} ms; ${hook.sequential.throughputRps} req/s; status ${JSON.stringify(hook.sequential.status)}`,
    'p99 < 50 ms',
    ok(hook.sequential.latencyMs.p99 < hook.budgetP99Ms),
  ],
  [
    `webhook ack, one delivery id resent, ${hook.duplicate.connections} connections × ${hook.duplicate.durationS} s (p50 / p90 / p99 / max)`,
    `${hook.duplicate.latencyMs.p50} / ${hook.duplicate.latencyMs.p90} / ${hook.duplicate.latencyMs.p99} / ${hook.duplicate.latencyMs.max} ms; ${hook.duplicate.throughputRps} req/s; status ${JSON.stringify(hook.duplicate.status)}; enqueued ${hook.duplicate.enqueued}`,
    'p99 < 50 ms; answered 200 duplicate; 0 enqueued',
    ok(hook.duplicate.latencyMs.p99 < hook.budgetP99Ms && hook.duplicate.enqueued === 0 && (hook.duplicate.status['200'] ?? 0) > 0),
  ],
  [
    `ACR events, one batch of ${batch.events} ImagePushed acknowledged (median / max of ${batch.runs})`,
    `${s(batch.medianS)} / ${s(batch.maxS)}; outcomes ${JSON.stringify(batch.outcomes)}`,
    `< ${s(batch.budgetS)} (Event Grid's delivery timeout)`,
    ok(batch.maxS < batch.budgetS),
  ],
  ...scale.rows,
  ...memory.map((m) => [
    `webhook, ${m.concurrent} concurrent ${m.bodyMiB} MB bodies with ${m.what}: host RSS growth at peak`,
    `${m.peakGrowthMiB} MiB (${m.rssBeforeMiB} → ${m.rssPeakMiB} MiB); answers ${JSON.stringify(m.statuses)}`,
    '—',
    'for information',
  ]),
  ...idle.map((i) => [
    `Kubernetes fake at rest, ${i.deployments} Deployments ${i.stuck ? `(${i.stuck} stuck in image pull back-off)` : 'rolled out'}: CPU of its process over ${i.seconds} s`,
    `${i.cpuPercent} % of a core`,
    '—',
    'for information',
  ]),
  [
    `host RSS over ${acks.acks} webhook acknowledgements (10 connections, new commits; host in its own process), and 10 s after the last`,
    `${acks.points.map((p) => `${p.acks}: ${p.rssMiB} MiB`).join(' → ')}; settled ${acks.settledRssMiB} MiB; status ${JSON.stringify(acks.status)}`,
    'no growth that does not come back',
    'for information',
  ],
  ...flight.levels.map((l) => [
    `pipeline, ${l.inFlight} release${l.inFlight === 1 ? '' : 's'} in flight (${flight.apps} apps, ${l.seconds} s): releases/min; p50 / p90 release time; CPU host / azurite; host CPU per release; host RSS`,
    `${l.releasesPerMin}/min (${l.completed} ended: ${JSON.stringify(l.outcomes)}); ${s(l.p50S)} / ${s(l.p90S)}; ${l.hostCpuPercent} % / ${l.azuriteCpuPercent ?? '?'} % of a core; ${l.hostCpuMsPerRelease} ms; ${l.rssMiB} MiB`,
    '—',
    'for information',
  ]),
  [
    `host RSS (heap) after a full GC by completed releases (50 in flight), and 5 s after the last`,
    `${flight.memory.map((m) => `${m.completed}: ${m.rssMiB} MiB (${m.heapMiB})`).join(' → ')}; settled ${flight.afterGc.rssMiB} MiB (${flight.afterGc.heapMiB}); heap ${flight.heapPer100MiB} MiB per 100 releases over the second half; fakes' records ${JSON.stringify(flight.fakes)}`,
    'no growth that does not come back',
    `overdue (no ending in 600 s): ${flight.overdue.length}${flight.overdue.length ? ` (${flight.overdue.map((o) => `${o.app} ${o.phase}${o.wait ? `, ${o.wait}` : ''}`).join('; ')})` : ''}; pushes refused and resent: ${JSON.stringify(flight.refused)}`,
  ],
  ...reactions.map((r) => [
    `${r.what} (median / max of ${r.runs}; ${r.setting})`,
    `${s(r.medianS)} / ${s(r.maxS)}`,
    `≤ ${s(r.budgetS)} (at defaults ≤ ${s(r.budgetAtDefaultsS)})`,
    ok(r.maxS <= r.budgetS),
  ]),
];

const header = ['what', 'measured', 'budget', 'verdict'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const m = machineBefore;
const caption = `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; 1-min load average ${m.loadAverage1m} before, ${loadAfter} after (shared machine). ${new Date().toISOString().slice(0, 10)}.`;
const notes = [
  `Cold start: time inside a fresh \`node\` around require()/import() of the entry only, with AzureWebJobsStorage=UseDevelopmentStorage=true and a webhook secret; entry file ${round(cold.bundled.bytes / 2 ** 20, 2)} MiB.`,
  `Webhook: local host in its own process, azurite as its child; ${hook.consumer}. Enqueued during the 10-connection run: ${hook.unique.enqueued} (202s counted: ${hook.unique.status['202'] ?? 0}; requests in flight at the cut-off are enqueued but not counted by autocannon).`,
  ...scale.notes,
  'Reactions: full sandbox in-process, SANDBOX_KUBE_TIME_SCALE=0.1; each figure is the timeline entry minus the moment the fact was visible on the fake (see bench/pipeline.ts). One reconcile tick per interval bounds the reaction at defaults too.',
];

process.stdout.write(
  `\n${caption}\n\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nCost as history grows (bench/history.ts; azurite in memory):\n\n${historyTable(history)}\n\nVerification at production defaults (300 s window, 30 s samples, error rate 1 %, P95 2 s):\n\n${verification.markdown}\n\nTotal bench time ${Math.round((Date.now() - began) / 1000)} s.\n`,
);
await writeFile(
  join(repoRoot, 'bench', 'results.json'),
  `${JSON.stringify({ at: new Date().toISOString(), machine: { ...machineBefore, loadAverage1mAfter: loadAfter }, coldStart: cold, webhook: hook, acrBatch: batch, webhookMemory: memory, kubeIdle: idle, ackMemory: acks, inflight: flight, scale: { ack: scale.ack, storm: scale.storm }, reactions, history, verification, markdown: table }, null, 2)}\n`,
);
process.exit(0);
