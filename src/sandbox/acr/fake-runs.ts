/**
 * The fake's ACR Task runs: a scripted lifecycle (Queued → Running → final after N reads), ARM
 * JSON bodies the SDK's mappers accept, and run logs that look like acr-builder's.
 */
import { createHash } from 'node:crypto';
import type { StepOutput } from './scan-exec.js';

export type FinalStatus = 'Succeeded' | 'Failed' | 'Canceled' | 'Error' | 'Timeout';

/** How the next run behaves. Everything optional; defaults come from the fake's options. */
export interface RunScript {
  /** Reads answering Queued/Running before the final status. */
  polls?: number;
  outcome?: FinalStatus;
  errorMessage?: string;
  /** Stays Running forever (the pipeline owns deadlines). */
  neverFinish?: boolean;
  /**
   * plain: acr-builder lines around the step output · noisy: CRLF, ANSI and an earlier truncated
   * attempt · no-report: the step printed nothing on stdout · truncated: cut after the begin marker
   */
  log?: 'plain' | 'noisy' | 'no-report' | 'truncated' | { raw: string };
}

export interface OutputImage {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

export interface FakeRun {
  runId: string;
  kind: 'scan' | 'build';
  script: Required<Pick<RunScript, 'polls'>> & RunScript;
  createdAt: Date;
  reads: number;
  finished?: { status: FinalStatus; at: Date };
  /** Resolves to the step's output once the "agent" has run it (scans). */
  step?: Promise<StepOutput>;
  imageRef?: string;
  build?: { sourceLocation: string; dockerFilePath: string; imageNames: string[] };
  outputImages: OutputImage[];
}

export function statusOf(run: FakeRun): string {
  if (run.finished) return run.finished.status;
  if (run.script.neverFinish || run.reads <= run.script.polls) return run.reads <= 1 ? 'Queued' : 'Running';
  return run.script.outcome ?? 'Succeeded';
}

export const digestFor = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

export function armRun(run: FakeRun, registryId: string): Record<string, unknown> {
  const status = statusOf(run);
  const started = status !== 'Queued';
  return {
    id: `${registryId}/runs/${run.runId}`,
    type: 'Microsoft.ContainerRegistry/registries/runs',
    name: run.runId,
    properties: {
      runId: run.runId,
      status,
      lastUpdatedTime: (run.finished?.at ?? new Date()).toISOString(),
      runType: 'QuickRun',
      createTime: run.createdAt.toISOString(),
      ...(started ? { startTime: new Date(run.createdAt.getTime() + 1000).toISOString() } : {}),
      ...(run.finished ? { finishTime: run.finished.at.toISOString() } : {}),
      ...(run.outputImages.length ? { outputImages: run.outputImages } : {}),
      ...(run.finished && run.finished.status !== 'Succeeded'
        ? { runErrorMessage: run.script.errorMessage ?? `failed during run, err: exit status 1` }
        : {}),
      platform: { os: 'linux', architecture: 'amd64' },
      agentConfiguration: { cpu: 2 },
      sourceRegistryAuth: 'Default',
      customRegistries: [],
      provisioningState: 'Succeeded',
      isArchiveEnabled: false,
    },
  };
}

const stamp = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19).replaceAll('-', '/');

export async function runLog(run: FakeRun, loginServer: string): Promise<string> {
  const script = run.script.log ?? 'plain';
  if (typeof script === 'object') return script.raw;
  const t = stamp(run.createdAt);
  const head = [
    `${t} Alias support enabled for version >= 1.1.0, please see https://aka.ms/acr/tasks/task-aliases for more information.`,
    `${t} Creating Docker network: acb_default_network, driver: 'bridge'`,
    `${t} Successfully set up Docker network: acb_default_network`,
    `${t} Setting up Docker configuration...`,
    `${t} Successfully set up Docker configuration`,
    `${t} Logging in to registry: ${loginServer}`,
    `${t} Successfully logged into ${loginServer}`,
  ];
  if (run.kind === 'build') return buildLog(run, head, t);

  const out = (await run.step) ?? { exitCode: 1, stdout: '', stderr: 'no step output' };
  const status = statusOf(run);
  let stdout = out.stdout;
  if (script === 'no-report') stdout = '';
  if (script === 'truncated') stdout = stdout.slice(0, Math.floor(stdout.length / 2));
  const step = [`${t} Executing step ID: trivy. Timeout(sec): 900, Working directory: '', Network: 'acb_default_network'`];
  const attempt = [out.stderr.trimEnd(), stdout.trimEnd()];
  const earlier =
    script === 'noisy'
      ? [out.stderr.trimEnd(), out.stdout.slice(0, Math.floor(out.stdout.length / 3)), `${t} Step ID: trivy failed, retrying (1/1)...`]
      : [];
  const tail = [
    `${t} Step ID: trivy marked as ${status === 'Succeeded' ? 'successful' : 'failed'} (elapsed time in seconds: 12.840217)`,
    '',
    `Run ID: ${run.runId} was ${status === 'Succeeded' ? 'successful' : 'unsuccessful'} after 16s`,
  ];
  const lines = [...head, ...step, ...earlier, ...attempt, ...tail];
  if (script !== 'noisy') return `${lines.join('\n')}\n`;
  // Coloured acr-builder lines and CRLF, as an agent on another OS or a terminal-minded tool writes them.
  return `${lines.map((l) => (l.startsWith(t) ? `\x1b[32m${l}\x1b[0m` : l)).join('\n')}\n`.replace(/\r?\n/g, '\r\n');
}

function buildLog(run: FakeRun, head: string[], t: string): string {
  const images = run.outputImages.map(
    (i) => `- image:\n    registry: ${i.registry}\n    repository: ${i.repository}\n    tag: ${i.tag}\n    digest: ${i.digest}`,
  );
  return `${[
    ...head,
    `${t} Executing step ID: build. Timeout(sec): 28800, Working directory: '', Network: 'acb_default_network'`,
    `${t} Obtaining source code and scanning for dependencies...`,
    `Step 1/1 : FROM sandbox`,
    `${t} Step ID: build marked as ${statusOf(run) === 'Succeeded' ? 'successful' : 'failed'}`,
    ...images,
    `Run ID: ${run.runId} was ${statusOf(run) === 'Succeeded' ? 'successful' : 'unsuccessful'} after 42s`,
  ].join('\n')}\n`;
}
