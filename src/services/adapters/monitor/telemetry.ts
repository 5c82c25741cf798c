/**
 * Telemetry port over Azure Monitor Logs (workspace-based Application Insights, table AppRequests)
 * with @azure/monitor-query-logs. A partial result is never a measurement: it is reported as
 * transient so the pipeline treats telemetry as unavailable rather than judging a release on half
 * the data.
 */
import type { LogsQueryClient, LogsQueryResult } from '@azure/monitor-query-logs';
import type { Clock, Logger, Telemetry, TelemetryQuery, TelemetrySample } from '../../ports.js';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import { silentLogger } from '../../logger.js';
import { buildRequestsQuery, PING_QUERY, validateQuery } from './kql.js';
import { errorCodes, mapMonitorError } from './errors.js';
import { RequestsRow, RequestsTable } from './schema.js';

export type TokenCredential = ConstructorParameters<typeof LogsQueryClient>[0];

export interface TelemetryOptions {
  /** Log Analytics workspace (customer) id, a GUID. */
  workspaceId: string;
  /** Query API base URL, used verbatim; include `/v1`. */
  endpoint?: string;
  credential: TokenCredential;
  /** PEM of an extra CA to trust (the sandbox's HTTPS fake); replaces the default trust store. */
  tlsCa?: string;
  logger?: Logger;
  clock?: Clock;
  /** Client-side deadline per query; the server is asked to stop at the same time (Prefer: wait). */
  timeoutMs?: number;
  /** SDK-level retries. Default 0: the pipeline re-checks on its next tick; a Function never sleeps. */
  maxRetries?: number;
}

export const DEFAULT_LOGS_ENDPOINT = 'https://api.loganalytics.azure.com/v1';
const SYSTEM = 'monitor';

export function createTelemetry(opts: TelemetryOptions): Telemetry {
  const logger = (opts.logger ?? silentLogger).child({ component: 'telemetry' });
  const clock = opts.clock ?? { now: () => new Date() };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let client: Promise<{ client: LogsQueryClient; success: string }> | undefined;

  // The SDK is imported on first use: the function app's cold start does not pay for it.
  const getClient = () =>
    (client ??= import('@azure/monitor-query-logs').then(({ LogsQueryClient, LogsQueryResultStatus }) => ({
      client: new LogsQueryClient(opts.credential, {
        endpoint: opts.endpoint ?? DEFAULT_LOGS_ENDPOINT,
        retryOptions: { maxRetries: opts.maxRetries ?? 0 },
        ...(opts.tlsCa ? { tlsOptions: { ca: opts.tlsCa } } : {}),
      }),
      success: String(LogsQueryResultStatus.Success),
    })));

  async function run(
    query: string,
    timespan: { startTime: Date; endTime: Date } | { duration: string },
  ): Promise<Result<LogsQueryResult & { ok: boolean }>> {
    try {
      const { client: c, success } = await getClient();
      const result = await c.queryWorkspace(opts.workspaceId, query, timespan, {
        serverTimeoutInSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      return ok({ ...result, ok: (result.status as string) === success });
    } catch (e) {
      return err(mapMonitorError(e, clock.now()));
    }
  }

  return {
    async requests(q: TelemetryQuery): Promise<Result<TelemetrySample>> {
      const problem = validateQuery(q);
      if (problem) return err(adapterError(SYSTEM, 'invalid', problem.message, { cause: { field: problem.field } }));
      const started = clock.now().getTime();
      const result = await run(buildRequestsQuery(q), { startTime: q.from, endTime: q.to });
      const fields = {
        roleName: q.roleName,
        version: q.version,
        slowAboveMs: q.slowAboveMs,
        from: q.from.toISOString(),
        to: q.to.toISOString(),
        durationMs: clock.now().getTime() - started,
      };
      if (!result.ok) {
        logger.warn('telemetry query failed', { ...fields, kind: result.error.kind, status: result.error.status });
        return result;
      }
      const r = result.value;
      if (!r.ok || !('tables' in r)) {
        const partial = 'partialError' in r ? r.partialError : undefined;
        const codes = errorCodes(partial);
        logger.warn('telemetry query partially failed', { ...fields, codes });
        return err(
          adapterError(
            SYSTEM,
            'transient',
            `log analytics returned a partial result${codes.length ? ` (${codes.join('/')})` : ''}: ${partial?.message ?? 'no detail'}`,
            { cause: { codes } },
          ),
        );
      }
      const sample = readSample(r.tables, q.slowAboveMs !== undefined);
      if (!sample.ok) {
        logger.warn('telemetry result unreadable', { ...fields, problem: sample.error.message });
        return sample;
      }
      logger.debug('telemetry queried', { ...fields, ...sample.value });
      return sample;
    },

    async ping(): Promise<Result<unknown>> {
      const result = await run(PING_QUERY, { duration: 'PT5M' });
      if (!result.ok) return result;
      if (!result.value.ok) return err(adapterError(SYSTEM, 'transient', 'log analytics returned a partial result'));
      return ok({ workspaceId: opts.workspaceId });
    },
  };
}

/** One table, one row, the named columns — looked up by name, not position. */
export function readSample(tables: unknown[], withSlow: boolean): Result<TelemetrySample> {
  const table = RequestsTable.safeParse(tables[0]);
  if (tables.length !== 1 || !table.success || table.data.rows.length !== 1) {
    return err(adapterError(SYSTEM, 'invalid', 'log analytics result is not one summary row'));
  }
  const names = table.data.columnDescriptors.map((c) => c.name);
  const cells = table.data.rows[0] ?? [];
  const row = RequestsRow.safeParse(Object.fromEntries(names.map((n, i) => [n, cells[i]])));
  if (!row.success)
    return err(adapterError(SYSTEM, 'invalid', `log analytics summary row has an unexpected shape: ${row.error.issues[0]?.message ?? ''}`));
  const { requests, failures, p95Ms, slow, retainedRequests, retainedFailures, retainedSlow } = row.data;
  if (withSlow && (slow === undefined || retainedSlow === undefined))
    return err(adapterError(SYSTEM, 'invalid', 'log analytics summary row has no slow column'));
  const retained = { requests: retainedRequests, failures: retainedFailures, ...(withSlow ? { slow: retainedSlow } : {}) };
  return ok({ requests, failures, p95Ms, ...(withSlow ? { slow } : {}), retained });
}
