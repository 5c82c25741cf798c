/**
 * The alerts port from settings, built only when an environment of the graph names alertTargets.
 * ARM is always reachable in Azure (ARM_ENDPOINT's default), so there the managed identity reads it;
 * MONITOR_ALERTS_* point it at the sandbox's fake. Imports nothing heavy: the adapter loads on first use.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../../config.js';
import type { Alerts } from '../../promotion/ports.js';
import { lazyPort } from '../lazy.js';
import { staticTokenCredential } from '../monitor/index.js';

type AlertsConfig = Pick<
  Config,
  | 'promotion'
  | 'ARM_ENDPOINT'
  | 'MONITOR_ALERTS_ENDPOINT'
  | 'MONITOR_ALERTS_CA_PEM'
  | 'MONITOR_ALERTS_STATIC_TOKEN'
  | 'MONITOR_QUERY_TIMEOUT_SECONDS'
>;

export function alertsFromConfig(c: AlertsConfig, credential: TokenCredential): Alerts | undefined {
  if (!c.promotion.environments.some((e) => e.alertTargets.length)) return undefined;
  const opts = {
    credential: c.MONITOR_ALERTS_STATIC_TOKEN ? staticTokenCredential(c.MONITOR_ALERTS_STATIC_TOKEN) : credential,
    endpoint: c.MONITOR_ALERTS_ENDPOINT ?? c.ARM_ENDPOINT,
    ...(c.MONITOR_ALERTS_CA_PEM ? { tlsCa: c.MONITOR_ALERTS_CA_PEM } : {}),
    timeoutMs: c.MONITOR_QUERY_TIMEOUT_SECONDS * 1000,
  };
  return lazyPort<Alerts>(() => import('./index.js').then((m) => m.createAlerts(opts)));
}
