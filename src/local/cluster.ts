/**
 * Several local hosts as instances of one function app: the first starts azurite and the sandbox;
 * the others are pointed at that storage and at those fakes through the same settings the fakes
 * hand out (kubeconfig, endpoints), as if they were the real systems. So every host admits into
 * the same tables, polls the same queues and writes to the same cluster — the way Functions
 * instances share one storage account and one AKS cluster when the platform scales out.
 */
import { startLocalHost, type LocalHost, type LocalHostOptions } from './host.js';

export interface LocalCluster {
  hosts: LocalHost[];
  /** The settings every host after the first was given (shared storage and the first host's sandbox). */
  shared: Record<string, string>;
  stop(): Promise<void>;
}

/** What points another host at `first`'s storage and sandbox. */
export function sharedSettings(first: LocalHost): Record<string, string> {
  const sandbox: Record<string, string> = Object.assign({}, ...first.sandbox.map((s) => s.settings)) as Record<string, string>;
  return {
    ...sandbox,
    AzureWebJobsStorage: first.config.AzureWebJobsStorage ?? '',
    // The fakes are the first host's; to the others they are configured endpoints.
    TAILSPIN_SANDBOX: 'off',
  };
}

export async function startLocalCluster(opts: LocalHostOptions & { hosts: number }): Promise<LocalCluster> {
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1) throw new Error(`hosts: a whole number ≥ 1, got ${opts.hosts}`);
  const first = await startLocalHost(opts);
  const hosts = [first];
  const shared = sharedSettings(first);
  const stop = async () => {
    // The first host last: it owns azurite and the fakes the others talk to.
    for (const h of [...hosts].reverse()) await h.stop();
  };
  try {
    for (let i = 1; i < opts.hosts; i++) {
      const { slots: _none, port: _first, ...rest } = opts;
      hosts.push(await startLocalHost({ ...rest, port: 0, env: { ...opts.env, ...shared } }));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { hosts, shared, stop };
}
