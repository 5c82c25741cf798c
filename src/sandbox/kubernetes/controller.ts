/**
 * A simulation of kube-controller-manager's deployment and replicaset controllers plus the kubelet,
 * advanced by tick(). Reasons and messages follow pkg/controller/deployment (v1.34) so the adapter
 * sees what a real cluster reports.
 *
 * Like the real controllers it works from a queue: a change in the store marks the Deployment it
 * belongs to, and a Deployment waiting on a clock (a pod starting, minReadySeconds, the progress
 * deadline) is looked at when that clock runs out. A tick syncs only those, so an idle cluster costs
 * nothing per tick and a busy one costs what changes.
 */
import { randomBytes } from 'node:crypto';
import { eventRecorder, type Emit } from './events.js';
import { createReplicaSet, SAFE } from './new-replicaset.js';
import { stepPod, type PodBehaviour, type PodSim } from './pods.js';
import { matchLabelsSelector, matchesLabels } from './selectors.js';
import { rfc3339, type ChangeListener, type KObj, type Store } from './store.js';
import { deploymentStatus, type RolloutMemory } from './status.js';
import { REVISION, isReady, omitZero, replicasOf, revisionOf, sameTemplate, surgeOf, unavailableOf, type DeploymentSpec } from './spec.js';
import { WorkQueue } from './workqueue.js';

export const SIM_LABEL = 'tailspin.dev/sim';
const NODE = 'sandbox-node-0';

export interface ControllerOptions {
  now: () => Date;
  /** How long a new pod takes to start (and become Ready when it will). */
  podReadyDelayMs: number;
  /** Between CrashLoopBackOff restarts of a crashing container. */
  crashIntervalMs: number;
  /** Multiplies progressDeadlineSeconds and minReadySeconds; 1 = real time, 0.1 = ten times faster. */
  timeScale: number;
}

export interface ControllerStats {
  /** Pods with kubelet bookkeeping. */
  podSims: number;
  /** Deployments with rollout memory. */
  rollouts: number;
  queue: { dirty: number; waiting: number };
}

export class Controller {
  private readonly emit: Emit;
  private readonly pods = new Map<string, PodSim>();
  private readonly memory = new Map<string, RolloutMemory>();
  private readonly imageBehaviours: { match: string; behaviour: PodBehaviour }[] = [];
  /** namespace/deployment → message: its ReplicaSets cannot create pods (e.g. quota). */
  private readonly replicaFailures = new Map<string, string>();
  /** ReplicaSet uid → when it last failed to create pods: it retries once per crash interval, not every tick. */
  private readonly failedCreateMs = new Map<string, number>();
  /** "d/ns/name" for a Deployment (with its ReplicaSets and pods), "rs/ns/name" for a ReplicaSet no Deployment owns. */
  readonly queue = new WorkQueue();
  /** Earliest clock the key being synced waits on. */
  private wakeMs = Infinity;

  constructor(
    private readonly store: Store,
    private readonly opts: ControllerOptions,
  ) {
    this.emit = eventRecorder(store, opts.now);
    store.onChange(this.onChange);
  }

  /** Pods whose image contains `match` behave so (the latest setting for a match wins). */
  setImageBehaviour(match: string, behaviour: PodBehaviour): void {
    const at = this.imageBehaviours.findIndex((b) => b.match === match);
    if (at >= 0) this.imageBehaviours.splice(at, 1);
    this.imageBehaviours.push({ match, behaviour });
    this.markAll();
  }

  setReplicaFailure(namespace: string, deployment: string, message: string | undefined): void {
    if (message === undefined) this.replicaFailures.delete(`${namespace}/${deployment}`);
    else this.replicaFailures.set(`${namespace}/${deployment}`, message);
    this.queue.add(`d/${namespace}/${deployment}`);
  }

  private readonly onChange: ChangeListener = (rt, obj, change) => {
    const { namespace: ns, name, uid } = obj.metadata;
    if (rt.kind === 'Deployment' && rt.group === 'apps') {
      if (change !== 'delete') this.queue.add(`d/${ns}/${name}`);
      else {
        this.queue.forget(`d/${ns}/${name}`);
        this.memory.delete(uid!);
      }
    } else if (rt.kind === 'ReplicaSet' && rt.group === 'apps') {
      if (change === 'delete') this.failedCreateMs.delete(uid!);
      this.queue.add(this.keyOf(obj));
    } else if (rt.kind === 'Pod' && rt.group === '') {
      if (change === 'delete') this.pods.delete(uid!);
      const ref = obj.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
      const rs = ref && this.store.peek(this.replicaSets, ns, ref.name);
      if (rs) this.queue.add(this.keyOf(rs));
    }
  };

  private keyOf(rs: KObj): string {
    const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment');
    return owner ? `d/${rs.metadata.namespace}/${owner.name}` : `rs/${rs.metadata.namespace}/${rs.metadata.name}`;
  }

  private markAll(): void {
    for (const d of this.store.list(this.deployments)) this.queue.add(`d/${d.metadata.namespace}/${d.metadata.name}`);
    for (const rs of this.store.list(this.replicaSets)) this.queue.add(this.keyOf(rs));
  }

  private wake(atMs: number): void {
    this.wakeMs = Math.min(this.wakeMs, atMs);
  }

  private get deployments() {
    return this.store.typeFor('apps/v1', 'Deployment');
  }
  private get replicaSets() {
    return this.store.typeFor('apps/v1', 'ReplicaSet');
  }
  private get podType() {
    return this.store.typeFor('v1', 'Pod');
  }

  /** Pretend every existing pod started long ago (seeding: the cluster was already running). */
  settle(): void {
    const past = this.opts.now().getTime() - 3_600_000;
    for (const sim of this.pods.values()) {
      sim.createdMs = past;
      if (sim.readySinceMs !== undefined) sim.readySinceMs = past;
    }
    this.markAll();
  }

  stats(): ControllerStats {
    return { podSims: this.pods.size, rollouts: this.memory.size, queue: this.queue.size };
  }

  tick(): void {
    for (const key of this.queue.take(this.opts.now().getTime())) this.sync(key);
  }

  private sync(key: string): void {
    const [kind, ns, name] = key.split('/') as [string, string, string];
    this.wakeMs = Infinity;
    if (kind === 'd') {
      const d = this.store.get(this.deployments, ns, name);
      if (!d) return this.queue.forget(key);
      this.syncDeployment(d);
      for (const rs of this.ownedReplicaSets(d)) this.syncReplicaSet(rs);
      this.syncStatus(this.store.get(this.deployments, ns, name) ?? d);
    } else {
      const rs = this.store.get(this.replicaSets, ns, name);
      if (!rs) return this.queue.forget(key);
      this.syncReplicaSet(rs);
    }
    // Its own writes to the Deployment, its ReplicaSets and pods came back through onChange and
    // queued it again, like an informer's: the next look sees them and writes nothing more. Events
    // it recorded do not (they change nothing it reads). Otherwise it sleeps until a clock runs out.
    if (this.wakeMs < Infinity) this.queue.wakeAt(key, this.wakeMs);
  }

  behaviourOf(pod: KObj): PodBehaviour {
    const label = pod.metadata.labels?.[SIM_LABEL];
    if (label === 'unready' || label === 'crash') return label;
    const images = ((pod.spec?.containers ?? []) as { image: string }[]).map((c) => c.image);
    const hit = [...this.imageBehaviours].reverse().find((b) => images.some((i) => i.includes(b.match)));
    return hit?.behaviour ?? 'ready';
  }

  ownedReplicaSets(d: KObj): KObj[] {
    return this.store.owned(d.metadata.uid!, this.replicaSets);
  }

  private syncDeployment(d: KObj): void {
    const spec = d.spec as unknown as DeploymentSpec;
    const all = this.ownedReplicaSets(d);
    const maxRev = Math.max(0, ...all.map(revisionOf));
    let newRS = all.find((rs) => sameTemplate(rs.spec?.template, spec.template));
    const mem = this.rememberFor(d);
    if (!newRS) {
      newRS = createReplicaSet(this.store, this.emit, d, maxRev + 1, all);
      mem.progressMs = this.opts.now().getTime();
      mem.reason = { reason: 'NewReplicaSetCreated', message: `Created new replica set "${newRS.metadata.name}"` };
    } else if (revisionOf(newRS) < maxRev) {
      // Rolling back to an older template reuses its ReplicaSet under the next revision number.
      newRS.metadata.annotations = { ...newRS.metadata.annotations, [REVISION]: String(maxRev + 1) };
      newRS = this.store.update(this.replicaSets, newRS);
      mem.progressMs = this.opts.now().getTime();
      mem.reason = { reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name}"` };
    }
    const old = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
    this.scale(d, spec, newRS, old);
    const rev = newRS.metadata.annotations?.[REVISION];
    if (rev && d.metadata.annotations?.[REVISION] !== rev) {
      const fresh = this.store.get(this.deployments, d.metadata.namespace, d.metadata.name);
      if (fresh)
        this.store.update(this.deployments, {
          ...fresh,
          metadata: { ...fresh.metadata, annotations: { ...fresh.metadata.annotations, [REVISION]: rev } },
        });
    }
    this.cleanup(old, spec.revisionHistoryLimit ?? 10);
  }

  private rememberFor(d: KObj): RolloutMemory {
    const key = d.metadata.uid!;
    let m = this.memory.get(key);
    if (!m) this.memory.set(key, (m = { progressMs: this.opts.now().getTime() }));
    return m;
  }

  private scale(d: KObj, spec: DeploymentSpec, newRS: KObj, old: KObj[]): void {
    const desired = spec.replicas ?? 1;
    const setReplicas = (rs: KObj, n: number) => {
      const from = replicasOf(rs);
      if (from === n) return;
      this.store.update(this.replicaSets, { ...rs, spec: { ...rs.spec, replicas: n } });
      rs.spec = { ...rs.spec, replicas: n };
      this.emit(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${n > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}`,
        'deployment-controller',
      );
    };
    const oldTotal = () => old.reduce((n, rs) => n + replicasOf(rs), 0);
    if (spec.strategy?.type === 'Recreate') {
      for (const rs of old) setReplicas(rs, 0);
      const oldPods = old.reduce((n, rs) => n + Number(rs.status?.replicas ?? 0), 0);
      if (oldPods === 0) setReplicas(newRS, desired);
      return;
    }
    if (replicasOf(newRS) > desired) setReplicas(newRS, desired);
    const room = desired + surgeOf(spec) - oldTotal() - replicasOf(newRS);
    if (replicasOf(newRS) < desired && room > 0) setReplicas(newRS, replicasOf(newRS) + Math.min(room, desired - replicasOf(newRS)));
    // Scale old ReplicaSets down only as far as availability allows (maxUnavailable).
    const minAvailable = desired - unavailableOf(spec);
    const available = [newRS, ...old].reduce((n, rs) => n + Number(rs.status?.availableReplicas ?? 0), 0);
    const newUnavailable = replicasOf(newRS) - Number(newRS.status?.availableReplicas ?? 0);
    let budget = oldTotal() + replicasOf(newRS) - minAvailable - newUnavailable;
    // Pods of old ReplicaSets that are not available never count towards availability: drop them first.
    for (const rs of old) {
      const unhealthy = replicasOf(rs) - Number(rs.status?.availableReplicas ?? 0);
      if (unhealthy > 0 && budget > 0) {
        const by = Math.min(unhealthy, budget);
        setReplicas(rs, replicasOf(rs) - by);
        budget -= by;
      }
    }
    budget = Math.min(budget, available - minAvailable);
    for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
      if (budget <= 0) break;
      const by = Math.min(replicasOf(rs), budget);
      if (by > 0) setReplicas(rs, replicasOf(rs) - by);
      budget -= by;
    }
  }

  private cleanup(old: KObj[], limit: number): void {
    const idle = old
      .filter((rs) => replicasOf(rs) === 0 && Number(rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
      this.store.delete(this.replicaSets, rs.metadata.namespace, rs.metadata.name);
  }

  private syncReplicaSet(rs: KObj): void {
    const ns = rs.metadata.namespace;
    const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment');
    const failure = owner ? this.replicaFailures.get(`${ns}/${owner.name}`) : undefined;
    const selector = matchLabelsSelector(rs.spec?.selector as { matchLabels?: Record<string, string> });
    let pods = this.store.owned(rs.metadata.uid!, this.podType).filter((p) => matchesLabels(p.metadata.labels, selector));
    const want = replicasOf(rs);
    for (let i = pods.length; i < want && !failure; i++) pods.push(this.createPod(rs));
    if (pods.length > want) {
      const byReadiness = [...pods].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
      for (const p of byReadiness.slice(0, pods.length - want)) {
        this.store.delete(this.podType, ns, p.metadata.name);
        this.pods.delete(p.metadata.uid!);
        this.emit(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
      pods = pods.filter((p) => byReadiness.indexOf(p) >= pods.length - want);
    }
    const nowMs = this.opts.now().getTime();
    const minReadyMs = Number(rs.spec?.minReadySeconds ?? 0) * 1000 * this.opts.timeScale;
    let ready = 0;
    let available = 0;
    for (const p of pods) {
      const sim = this.pods.get(p.metadata.uid!) ?? { createdMs: nowMs, restarts: 0 };
      this.pods.set(p.metadata.uid!, sim);
      const status = stepPod(
        p,
        this.behaviourOf(p),
        sim,
        { nowMs, readyDelayMs: this.opts.podReadyDelayMs, crashIntervalMs: this.opts.crashIntervalMs },
        this.emit,
      );
      if (JSON.stringify(status) !== JSON.stringify(p.status)) this.store.update(this.podType, { ...p, status });
      // An unschedulable pod never starts: nothing but a change (of behaviour, of the Deployment) moves it.
      if (sim.startedMs === undefined && this.behaviourOf(p) !== 'unschedulable') this.wake(sim.createdMs + this.opts.podReadyDelayMs);
      if (sim.lastRestartMs !== undefined) this.wake(sim.lastRestartMs + this.opts.crashIntervalMs);
      if (sim.lastPullMs !== undefined) this.wake(sim.lastPullMs + this.opts.crashIntervalMs);
      if (sim.readySinceMs !== undefined && this.behaviourOf(p) === 'ready') {
        ready++;
        if (nowMs - sim.readySinceMs >= minReadyMs) available++;
        else this.wake(sim.readySinceMs + minReadyMs);
      }
    }
    if (failure && pods.length < want) this.failedCreate(rs, failure, nowMs);
    else this.failedCreateMs.delete(rs.metadata.uid!);
    const status: Record<string, unknown> = omitZero({
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: available,
      terminatingReplicas: 0,
    });
    status.observedGeneration = rs.metadata.generation;
    if (failure)
      status.conditions = [
        { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(this.opts.now()), reason: 'FailedCreate', message: failure },
      ];
    const fresh = this.store.get(this.replicaSets, ns, rs.metadata.name);
    const kept = (fresh?.status?.conditions as unknown[] | undefined) && failure ? fresh?.status?.conditions : status.conditions;
    if (fresh) this.store.update(this.replicaSets, { ...fresh, status: kept ? { ...status, conditions: kept } : status });
  }

  /** A ReplicaSet that cannot create its pods retries (and says so) once per crash interval. */
  private failedCreate(rs: KObj, failure: string, nowMs: number): void {
    const uid = rs.metadata.uid!;
    const last = this.failedCreateMs.get(uid);
    if (last === undefined || nowMs - last >= this.opts.crashIntervalMs) {
      this.failedCreateMs.set(uid, nowMs);
      this.emit(rs, 'Warning', 'FailedCreate', `Error creating: ${failure}`, 'replicaset-controller');
    }
    this.wake((this.failedCreateMs.get(uid) ?? nowMs) + this.opts.crashIntervalMs);
  }

  private createPod(rs: KObj): KObj {
    const template = rs.spec?.template as {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: Record<string, unknown>;
    };
    const suffix = Array.from(randomBytes(5), (b) => SAFE[b % SAFE.length]).join('');
    const pod = this.store.create(this.podType, {
      metadata: {
        name: `${rs.metadata.name}-${suffix}`,
        namespace: rs.metadata.namespace,
        labels: template.metadata?.labels,
        annotations: template.metadata?.annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true }],
      },
      spec: { ...template.spec, nodeName: NODE },
      status: { phase: 'Pending', qosClass: 'Burstable' },
    })!;
    this.emit(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
    return pod;
  }

  private syncStatus(d: KObj): void {
    const all = this.ownedReplicaSets(d);
    const newRS = all.find((rs) => sameTemplate(rs.spec?.template, (d.spec as unknown as DeploymentSpec).template));
    const failure = this.replicaFailures.get(`${d.metadata.namespace}/${d.metadata.name}`);
    const status = deploymentStatus(d, newRS, all, this.rememberFor(d), {
      nowMs: this.opts.now().getTime(),
      timeScale: this.opts.timeScale,
      failure,
    });
    const fresh = this.store.get(this.deployments, d.metadata.namespace, d.metadata.name);
    if (fresh) this.store.update(this.deployments, { ...fresh, status });
    const progressing = (status.conditions as { type: string; reason: string }[]).find((c) => c.type === 'Progressing');
    if (progressing && !['NewReplicaSetAvailable', 'ProgressDeadlineExceeded'].includes(progressing.reason)) {
      const deadlineMs = ((d.spec as unknown as DeploymentSpec).progressDeadlineSeconds ?? 600) * 1000 * this.opts.timeScale;
      this.wake(this.rememberFor(d).progressMs + deadlineMs + 1);
    }
  }
}
