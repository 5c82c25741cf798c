/**
 * ACR Task runs, one call at a time: schedule, read, log link. No loops here — the pipeline
 * polls by re-enqueueing itself, so every method answers after a single ARM round trip.
 */
import type { ContainerRegistryManagementClient, RunRequestUnion } from '@azure/arm-containerregistry';
import { type Result, ok, err } from '../../domain/result.js';
import type { Clock } from '../../ports.js';
import type { RegistryCoordinates } from './arm.js';
import { fromThrown, invalid, type Redact } from './errors.js';
import { LogSasResult, Run } from './schema.js';

export interface RunsOptions {
  client: ContainerRegistryManagementClient;
  registry: RegistryCoordinates;
  clock: Clock;
  redact: Redact;
  /** Bound on one ARM round trip (including scheduleRun's long-running-operation poll). */
  requestTimeoutMs: number;
}

export interface Runs {
  schedule(request: RunRequestUnion): Promise<Result<string>>;
  get(runId: string): Promise<Result<Run>>;
  logUrl(runId: string): Promise<Result<string>>;
}

export const isRunning = (status: Run['status']): boolean => status === 'Queued' || status === 'Started' || status === 'Running';

export function createRuns(o: RunsOptions): Runs {
  const { resourceGroup, registryName } = o.registry;
  const signal = () => AbortSignal.timeout(o.requestTimeoutMs);
  const guard = async <T>(what: string, call: () => Promise<Result<T>>): Promise<Result<T>> => {
    try {
      return await call();
    } catch (e) {
      return err(fromThrown(e, what, o.redact, o.clock));
    }
  };

  return {
    // ARM answers scheduleRun with the queued Run (200), so the LRO is complete on its first
    // response; should it ever answer 202, the run id is all we need and waiting stays bounded.
    schedule: (request) =>
      guard('schedule ACR run', async () => {
        const run = await o.client.registries.beginScheduleRunAndWait(resourceGroup, registryName, request, {
          abortSignal: signal(),
          updateIntervalInMs: 500,
        });
        const parsed = Run.pick({ runId: true }).safeParse(run);
        return parsed.success ? ok(parsed.data.runId) : err(invalid('ACR accepted the run but returned no run id'));
      }),
    get: (runId) =>
      guard(`read ACR run ${runId}`, async () => {
        const run = await o.client.runs.get(resourceGroup, registryName, runId, { abortSignal: signal() });
        const parsed = Run.safeParse(run);
        return parsed.success
          ? ok(parsed.data)
          : err(invalid(`ACR run ${runId} has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`));
      }),
    logUrl: (runId) =>
      guard(`log link of ACR run ${runId}`, async () => {
        const res = await o.client.runs.getLogSasUrl(resourceGroup, registryName, runId, { abortSignal: signal() });
        const parsed = LogSasResult.safeParse(res);
        return parsed.success ? ok(parsed.data.logLink) : err(invalid(`ACR run ${runId} has no log link`));
      }),
  };
}
