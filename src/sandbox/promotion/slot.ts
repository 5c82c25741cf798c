/**
 * dev → staging → prod for `npm start`: two more Kubernetes API fakes (staging and prod; dev is the
 * kubernetes slot's), each seeded from k8s/ and reached through its own kubeconfig, and a promotion
 * graph with a short local soak: staging takes dev's verified releases automatically, prod waits for
 * an approval. Steps aside when TAILSPIN_PROMOTION or a real cluster is configured.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SandboxSlot } from '../slot.js';
import { startAlertsFake, type AlertsFake } from '../monitor/alerts-fake.js';
import { startFakeKubernetes, type FakeKubernetes } from '../kubernetes/server.js';
import { SANDBOX_KUBE_TOKEN, sandboxKubeconfig } from '../kubernetes/slot.js';

/** Who may approve prod in the sandbox (the CLI's --as sends one of these). */
export const SANDBOX_APPROVERS = ['entra:bob@contoso.com', 'github:octocat'];
const ENVIRONMENTS = ['staging', 'prod'] as const;

const number = (text: string | undefined, fallback: number) => {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
};

/** The resources whose Azure Monitor alerts (the alerts fake's) hold promotions out of each environment. */
export const sandboxAlertTargets = (name: string): string[] => [
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tailspin-${name}/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-${name}`,
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tailspin-${name}/providers/Microsoft.Insights/components/appi-tailspin-${name}`,
];

export function sandboxGraph(kubeconfigs: Record<(typeof ENVIRONMENTS)[number], string>, env: Record<string, string | undefined>) {
  return {
    environments: [
      { name: 'dev', alertTargets: sandboxAlertTargets('dev') },
      {
        name: 'staging',
        from: 'dev',
        policy: { kind: 'auto', soakSeconds: number(env.SANDBOX_SOAK_SECONDS, 20) },
        cluster: { kubeconfig: kubeconfigs.staging },
        alertTargets: sandboxAlertTargets('staging'),
      },
      {
        name: 'prod',
        from: 'staging',
        policy: {
          kind: 'approval',
          approvals: 1,
          approvers: SANDBOX_APPROVERS,
          allowSelfApproval: false,
          soakSeconds: number(env.SANDBOX_PROD_SOAK_SECONDS, 0),
        },
        cluster: { kubeconfig: kubeconfigs.prod },
      },
    ],
  };
}

export interface PromotionSandbox {
  clusters: Record<(typeof ENVIRONMENTS)[number], FakeKubernetes>;
  /** Azure Monitor alerts on dev's and staging's resources (sandboxAlertTargets). */
  alerts: AlertsFake;
}

export const promotionSlot: SandboxSlot = {
  name: 'promotion',
  realConfigured: (env) => Boolean(env.TAILSPIN_PROMOTION?.trim() || env.KUBECONFIG?.trim() || env.AKS_RESOURCE_ID?.trim()),
  async start({ root, env }) {
    const scale = number(env.SANDBOX_KUBE_TIME_SCALE, 1) || 1;
    const dir = await mkdtemp(join(tmpdir(), 'tailspin-promotion-'));
    const clusters: Partial<PromotionSandbox['clusters']> = {};
    const kubeconfigs: Partial<Record<(typeof ENVIRONMENTS)[number], string>> = {};
    const alerts = await startAlertsFake({ token: randomBytes(24).toString('base64url') });
    const stop = async () => {
      await alerts.stop();
      for (const c of Object.values(clusters)) await c.stop();
      await rm(dir, { recursive: true, force: true });
    };
    try {
      for (const name of ENVIRONMENTS) {
        const fake = await startFakeKubernetes({ token: SANDBOX_KUBE_TOKEN, timeScale: scale, podReadyDelayMs: Math.round(1000 * scale) });
        clusters[name] = fake;
        if (existsSync(join(root, 'k8s'))) await fake.seedFromManifests(join(root, 'k8s'));
        const path = join(dir, `kubeconfig-${name}`);
        await writeFile(path, sandboxKubeconfig(fake.url, fake.ca, fake.token), { mode: 0o600 });
        kubeconfigs[name] = path;
      }
    } catch (e) {
      await stop();
      throw e;
    }
    const graph = sandboxGraph(kubeconfigs as Record<(typeof ENVIRONMENTS)[number], string>, env);
    const handle: PromotionSandbox = { clusters: clusters as PromotionSandbox['clusters'], alerts };
    return {
      name: 'promotion',
      describe: [
        `dev → staging (automatic after a ${graph.environments[1]?.policy?.soakSeconds ?? 0} s soak) → prod (1 approval from ${SANDBOX_APPROVERS.join(' or ')}, not the requester)`,
        `alerts     Azure Monitor alerts fake ${alerts.url} on dev's and staging's resources (a firing one holds promotions out of there)`,
        `fire an alert:   curl -sk ${alerts.url}/_sandbox/fire -d '{"name":"error rate over 1 %","target":"${sandboxAlertTargets('staging')[1] ?? ''}"}'   (/_sandbox/resolve -d '{"name":…}' ends it)`,
        ...ENVIRONMENTS.map(
          (n) => `${n.padEnd(8)} Kubernetes API fake ${handle.clusters[n].url}, what runs: ${handle.clusters[n].url}/_sandbox`,
        ),
      ],
      settings: {
        TAILSPIN_PROMOTION: JSON.stringify(graph),
        PROMOTION_SCHEDULE: env.PROMOTION_SCHEDULE?.trim() || '*/2 * * * * *',
        MONITOR_ALERTS_ENDPOINT: alerts.url,
        MONITOR_ALERTS_CA_PEM: alerts.ca,
        MONITOR_ALERTS_STATIC_TOKEN: alerts.token,
      },
      handle,
      stop,
    };
  },
};
