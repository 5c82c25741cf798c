/**
 * Telemetry adapter entry: the factory the composition root calls, and how its options come from
 * Config. Nothing here imports the SDK eagerly (see telemetry.ts).
 */
import type { Config } from '../../config.js';
import type { Clock, Logger, Telemetry } from '../../ports.js';
import { createTelemetry, type TelemetryOptions, type TokenCredential } from './telemetry.js';

export { createTelemetry, type TelemetryOptions, type TokenCredential } from './telemetry.js';
export { buildRequestsQuery } from './kql.js';

/** A credential that always hands out one token: for the sandbox fake, which checks it. */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

type TelemetryConfig = Pick<
  Config,
  | 'LOG_ANALYTICS_WORKSPACE_ID'
  | 'MONITOR_LOGS_ENDPOINT'
  | 'MONITOR_LOGS_CA_PEM'
  | 'MONITOR_LOGS_STATIC_TOKEN'
  | 'MONITOR_QUERY_TIMEOUT_SECONDS'
>;

/**
 * Options from settings; undefined when no workspace is configured (telemetry then is
 * "unavailable" by design, not a silent pass). `credential` is the app's managed identity, used
 * unless MONITOR_LOGS_STATIC_TOKEN is set.
 */
export function telemetryOptionsFromConfig(
  config: TelemetryConfig,
  deps: { credential?: TokenCredential; logger?: Logger; clock?: Clock },
): TelemetryOptions | undefined {
  if (!config.LOG_ANALYTICS_WORKSPACE_ID) return undefined;
  const credential = config.MONITOR_LOGS_STATIC_TOKEN ? staticTokenCredential(config.MONITOR_LOGS_STATIC_TOKEN) : deps.credential;
  if (!credential) throw new Error('telemetry needs a credential: pass the managed identity or set MONITOR_LOGS_STATIC_TOKEN');
  return {
    workspaceId: config.LOG_ANALYTICS_WORKSPACE_ID,
    endpoint: config.MONITOR_LOGS_ENDPOINT,
    credential,
    ...(config.MONITOR_LOGS_CA_PEM ? { tlsCa: config.MONITOR_LOGS_CA_PEM } : {}),
    timeoutMs: config.MONITOR_QUERY_TIMEOUT_SECONDS * 1000,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  };
}

/** Convenience for the composition root: the adapter from config, or undefined without a workspace. */
export function createTelemetryFromConfig(
  config: TelemetryConfig,
  deps: { credential?: TokenCredential; logger?: Logger; clock?: Clock },
): Telemetry | undefined {
  const opts = telemetryOptionsFromConfig(config, deps);
  return opts ? createTelemetry(opts) : undefined;
}
