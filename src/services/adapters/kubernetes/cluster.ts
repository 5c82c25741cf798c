/**
 * The Cluster port on @kubernetes/client-node: read Deployments/ReplicaSets/Pods/Events, patch
 * images, `rollout undo`, service-proxy smoke checks and server-side apply.
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import { judgeFence, type WriteFence } from '../../domain/writer.js';
import type {
  Cluster,
  ClusterEvent,
  DeployAnnotations,
  Logger,
  RolloutObservation,
  SmokeCheckSpec,
  SmokeResult,
  Workload,
} from '../../ports.js';
import { toAdapterError } from './errors.js';
import { inCluster, type KubeConfigSource } from './kubeconfig.js';
import { containerImage, HASH_LABEL, newestReplicaSet, REVISION, revisionOf, toObservation } from './observe.js';
import { ANNOTATIONS, previousReplicaSet, setImagePatch, templateFrom, undoPatch } from './rollout.js';
import { Deployment, EventList, PodList, ReplicaSetList, Version, type Event, type PodTemplate } from './schema.js';
import { serviceProxySmoke, urlSmoke } from './smoke.js';

export const FIELD_MANAGER = 'tailspin-deployer';
/** Reads and writes of one fenced change before a run of 409s (the object kept moving) is given back as a conflict. */
const FENCE_ATTEMPTS = 4;

export interface KubernetesClusterOptions {
  /** A KubeConfig, or a provider called per operation (AKS: refreshes the bearer token). Default: in-cluster. */
  kubeConfig?: KubeConfigSource;
  logger: Logger;
  /** Per smoke check (default 10 s). */
  smokeTimeoutMs?: number;
  /** For `url` smoke checks (default global fetch). */
  fetch?: typeof fetch;
}

class Failure extends Error {
  constructor(readonly error: ReturnType<typeof adapterError>) {
    super(error.message);
  }
}

export function createKubernetesCluster(opts: KubernetesClusterOptions): Cluster {
  const source = opts.kubeConfig ?? inCluster();
  const kubeConfig = (): Promise<KubeConfig> => (source instanceof KubeConfig ? Promise.resolve(source) : source());
  const smokeTimeoutMs = opts.smokeTimeoutMs ?? 10_000;
  const log = opts.logger.child({ adapter: 'kubernetes' });

  /** Run an operation; ApiException and network failures become AdapterError values. */
  async function run<T>(what: string, fn: (kc: KubeConfig) => Promise<T>): Promise<Result<T>> {
    try {
      return ok(await fn(await kubeConfig()));
    } catch (e) {
      const error = e instanceof Failure ? e.error : toAdapterError(e, what);
      log.warn('kubernetes call failed', { what, kind: error.kind, status: error.status });
      return err(error);
    }
  }

  async function readDeployment(kc: KubeConfig, w: Workload): Promise<Deployment> {
    const raw = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: w.deployment, namespace: w.namespace });
    return Deployment.parse(raw);
  }

  async function ownedReplicaSets(kc: KubeConfig, d: Deployment) {
    const labelSelector = selectorText(d.spec.selector?.matchLabels ?? {});
    const list = ReplicaSetList.parse(
      await kc.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace: d.metadata.namespace ?? '', labelSelector }),
    );
    return list.items.filter((rs) => rs.metadata.ownerReferences.some((o) => o.kind === 'Deployment' && o.uid === d.metadata.uid));
  }

  /**
   * A fenced change (domain/writer.ts): read, judge the Deployment's last writer token, and write only
   * to the version read (resourceVersion precondition), so nobody can come in between. A 409 means the
   * object moved on (the controller's status, a scale): read and judge again.
   */
  async function fenced<T>(
    kc: KubeConfig,
    w: Workload,
    fence: WriteFence | undefined,
    write: (d: Deployment) => Promise<T>,
    done: (d: Deployment) => T,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const d = await readDeployment(kc, w);
      const writer = d.metadata.annotations[ANNOTATIONS.writer] ?? '';
      const verdict = judgeFence(fence, writer);
      if (verdict === 'done') return done(d);
      if (verdict === 'refuse')
        throw new Failure(
          adapterError(
            'kubernetes',
            'invalid',
            `refused: ${w.namespace}/${w.deployment} was changed by ${writer || 'someone other than the deployer'} after this release looked at it (one writer per Deployment)`,
            { status: 409 },
          ),
        );
      try {
        return await write(d);
      } catch (e) {
        if (!fence || attempt >= FENCE_ATTEMPTS || !(e instanceof ApiException) || e.code !== 409) throw e;
      }
    }
  }

  function imageOf(template: PodTemplate, w: Workload): string {
    const image = containerImage(template, w.container);
    if (image === undefined)
      throw new Failure(
        adapterError('kubernetes', 'not-found', `container ${w.container} not in deployment ${w.namespace}/${w.deployment}`),
      );
    return image;
  }

  return {
    observe: (w) =>
      run<RolloutObservation>('observe', async (kc) => {
        const d = await readDeployment(kc, w);
        const image = imageOf(d.spec.template, w);
        const rs = newestReplicaSet(d, await ownedReplicaSets(kc, d));
        const hash = rs?.metadata.labels[HASH_LABEL];
        const pods = hash
          ? PodList.parse(
              await kc.makeApiClient(CoreV1Api).listNamespacedPod({
                namespace: w.namespace,
                labelSelector: selectorText({ ...d.spec.selector?.matchLabels, [HASH_LABEL]: hash }),
              }),
            ).items
          : [];
        return toObservation(d, image, pods);
      }),

    setImage: (w, image, annotations, fence) =>
      run('setImage', (kc) =>
        fenced(
          kc,
          w,
          fence,
          async (d) => {
            if (imageOf(d.spec.template, w) === image) return { changed: false };
            await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
              {
                name: w.deployment,
                namespace: w.namespace,
                body: setImagePatch(w.container, image, annotations, fence ? (d.metadata.resourceVersion ?? undefined) : undefined),
                fieldManager: FIELD_MANAGER,
              },
              setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
            );
            log.info('deployment image set', { namespace: w.namespace, deployment: w.deployment, image, releaseId: annotations.releaseId });
            return { changed: true };
          },
          () => ({ changed: false }),
        ),
      ),

    undo: (w, annotations: DeployAnnotations, fence) =>
      run('undo', (kc) =>
        fenced(
          kc,
          w,
          fence,
          async (d) => {
            const sets = await ownedReplicaSets(kc, d);
            const current = Number(d.metadata.annotations[REVISION] ?? 0);
            const prev = previousReplicaSet(sets, current);
            if (!prev) throw new Failure(adapterError('kubernetes', 'not-found', `no previous revision of ${w.namespace}/${w.deployment}`));
            const image = imageOf(templateFrom(prev), w);
            if (sameTemplate(templateFrom(prev), d.spec.template)) return { image, changed: false };
            await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
              {
                name: w.deployment,
                namespace: w.namespace,
                body: undoPatch(d.metadata.annotations, prev, annotations, fence ? (d.metadata.resourceVersion ?? undefined) : undefined),
                fieldManager: FIELD_MANAGER,
              },
              setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
            );
            log.info('deployment rolled back', { namespace: w.namespace, deployment: w.deployment, toRevision: revisionOf(prev), image });
            return { image, changed: true };
          },
          // Undone already (a retried tick): undoing again would go back to the failing revision.
          (d) => ({ image: imageOf(d.spec.template, w), changed: false }),
        ),
      ),

    events: (w, limit = 50) =>
      run<ClusterEvent[]>('events', async (kc) => {
        const core = kc.makeApiClient(CoreV1Api);
        const d = await readDeployment(kc, w);
        const rsNames = (await ownedReplicaSets(kc, d)).map((rs) => rs.metadata.name);
        const query = async (fieldSelector: string) =>
          EventList.parse(await core.listNamespacedEvent({ namespace: w.namespace, fieldSelector })).items;
        const [own, ofSets, ofPods] = await Promise.all([
          query(`involvedObject.kind=Deployment,involvedObject.name=${w.deployment}`),
          query('involvedObject.kind=ReplicaSet'),
          query('involvedObject.kind=Pod'),
        ]);
        // Pods are named <replicaset>-<suffix>; field selectors cannot match a prefix, so filter here.
        const mine = [
          ...own,
          ...ofSets.filter((e) => rsNames.includes(e.involvedObject.name ?? '')),
          ...ofPods.filter((e) => rsNames.some((n) => (e.involvedObject.name ?? '').startsWith(`${n}-`))),
        ];
        return mine
          .sort((a, b) => whenOf(b).localeCompare(whenOf(a)))
          .slice(0, limit)
          .map(toClusterEvent);
      }),

    smoke: async (namespace: string, check: SmokeCheckSpec): Promise<Result<SmokeResult>> => {
      if (check.kind === 'url') return urlSmoke(check, smokeTimeoutMs, opts.fetch ?? fetch);
      const kc = await run('smoke', (k) => Promise.resolve(k));
      return kc.ok ? serviceProxySmoke(kc.value, namespace, check, smokeTimeoutMs) : kc;
    },

    apply: (docs) =>
      run('apply', async (kc) => {
        const client = KubernetesObjectApi.makeApiClient(kc);
        const applied: string[] = [];
        for (const doc of docs) {
          const obj = doc as KubernetesObject;
          await client.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
          applied.push(`${obj.kind}/${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`);
        }
        return { applied };
      }),

    ping: () =>
      run('ping', async (kc) => {
        const v = Version.parse(await kc.makeApiClient(VersionApi).getCode());
        return { version: v.gitVersion };
      }),
  };
}

function selectorText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const whenOf = (e: Event): string => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';

function toClusterEvent(e: Event): ClusterEvent {
  const when = whenOf(e);
  return {
    involvedObject: `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`,
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    ...(e.count ? { count: e.count } : {}),
    ...(when ? { lastTimestamp: when } : {}),
  };
}

/** Templates equal apart from the controller's hash label (what `rollout undo` calls "already matches"). */
function sameTemplate(a: PodTemplate, b: PodTemplate): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .filter(([, x]) => !(typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 0))
      .sort(([x], [y]) => x.localeCompare(y));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
