/**
 * scanning, for manifest releases: every image the manifests would put in the cluster goes through the
 * same gate as an image release — the per-digest cache first, else a Trivy run — all at once. One image
 * blocked, or one that cannot be scanned (fail closed), blocks the release with the places it is named.
 */
import { parseImageRef } from '../../domain/image-ref.js';
import type { GatedImage, ScanRecord } from '../../domain/release.js';
import { wait, type Decision } from '../decision.js';
import { acquireSlot, addSeconds, describeFailure, finish, isFinal, type StepContext } from './common.js';
import { cachedVerdict, judgeReport } from './scan-gate.js';

type Look =
  | { img: GatedImage; state: 'done'; scan?: ScanRecord }
  | { img: GatedImage; state: 'waiting'; deadline: Date; afterSeconds: number; detail: string }
  | { img: GatedImage; state: 'unscannable'; reason: string };

export async function manifestScanning(c: StepContext): Promise<Decision> {
  const { r } = c;
  const plan = r.progress.manifest;
  if (!plan) return finish(c, 'failed', 'manifest release in scanning without a plan', {});
  const looks: Look[] = [];
  for (const img of plan.images ?? []) looks.push(await lookAt(c, img));
  const images = looks.map((l) => l.img);
  const manifest = { ...plan, images };
  const summary = {
    commit: r.manifestCommit ?? '',
    objects: plan.objects.map((o) => `${String(o.kind)}/${String((o.metadata as { name?: unknown } | undefined)?.name)}`),
    pins: {},
    ...r.outcome.manifest,
    images: images.flatMap((i) =>
      i.verdict
        ? [{ image: i.image, where: i.where, verdict: i.verdict, summary: i.summary ?? '', ...(i.cached ? { cached: true } : {}) }]
        : [],
    ),
  };
  const patch = { progress: { manifest }, outcome: { manifest: summary } };

  const bad = looks.filter((l) => l.state === 'unscannable' || l.img.verdict === 'blocked');
  if (bad.length > 0) {
    const reasons = bad.map((l) =>
      l.state === 'unscannable'
        ? `${l.img.where.join('; ')}: ${l.img.image}: ${l.reason}`
        : `${l.img.where.join('; ')}: ${l.img.image}: ${l.img.summary ?? 'blocked'}`,
    );
    const scan = looks.find((l): l is Extract<Look, { state: 'done' }> => l.state === 'done' && l.img.verdict === 'blocked')?.scan;
    return finish(
      c,
      'blocked',
      `scan gate: ${reasons.join(' | ')}`,
      {},
      { ...patch, outcome: { ...patch.outcome, ...(scan ? { scan } : {}) } },
    );
  }
  const waiting = looks.filter((l): l is Extract<Look, { state: 'waiting' }> => l.state === 'waiting');
  if (waiting.length > 0) {
    const deadline = new Date(Math.min(...waiting.map((l) => l.deadline.getTime())));
    const afterSeconds = Math.min(...waiting.map((l) => l.afterSeconds));
    const done = images.length - waiting.length;
    return wait(
      'scan',
      `${done} of ${images.length} images judged; ${waiting.map((l) => l.detail).join(', ')}`,
      deadline,
      afterSeconds,
      patch,
    );
  }
  const cached = images.filter((i) => i.cached).length;
  return acquireSlot(
    c,
    `scan gate: ${images.length} image${images.length > 1 ? 's' : ''} pass${cached ? ` (${cached} from the cache)` : ''}`,
    patch,
  );
}

/** One image, one step: a cached verdict, a scan started, a run read and judged. */
async function lookAt(c: StepContext, img: GatedImage): Promise<Look> {
  const { d } = c;
  if (img.verdict) return { img, state: 'done' };
  const ref = parseImageRef(img.image);
  const digest = ref.ok ? ref.value.digest : undefined;
  if (!ref.ok || !digest) return { img, state: 'unscannable', reason: 'not pinned by digest' };
  const target = { registry: ref.value.registry, repository: ref.value.repository, digest };
  const attempt = img.scanAttempt ?? 1;
  // Each image's scan has the gate's deadline from when it started (or from when scanning began).
  const deadline = addSeconds(img.scanStartedAt ?? c.r.timeline.at(-1)?.at ?? c.r.createdAt, d.settings.scanDeadlineSeconds);
  const poll = d.settings.scanPollSeconds;
  const retryOrGiveUp = async (why: string): Promise<Look> =>
    attempt <= d.settings.scanRetries
      ? start({ ...img, scanAttempt: attempt + 1 })
      : { img, state: 'unscannable', reason: `${why} (fail closed after ${attempt} attempt${attempt > 1 ? 's' : ''})` };

  async function start(next: GatedImage): Promise<Look> {
    const res = await d.scanner.start(target);
    if (res.ok) {
      const started = { ...next, scanRunId: res.value.runId, scanStartedAt: c.now.toISOString(), scanAttempt: next.scanAttempt ?? 1 };
      return {
        img: started,
        state: 'waiting',
        deadline: addSeconds(c.now, d.settings.scanDeadlineSeconds),
        afterSeconds: poll,
        detail: `run ${res.value.runId}`,
      };
    }
    if (isFinal(res.error) || c.now >= deadline)
      return { img: next, state: 'unscannable', reason: `the scan could not be started (fail closed): ${describeFailure(res.error)}` };
    return { img: next, state: 'waiting', deadline, afterSeconds: poll, detail: `starting its scan (${res.error.message})` };
  }

  if (!img.scanRunId) {
    const cached = await cachedVerdict(c, digest);
    if (cached)
      return {
        img: { ...img, verdict: cached.outcome, summary: cached.summary, cached: true },
        state: 'done',
        scan: { ...cached.verdict, cached: true },
      };
    return start(img);
  }
  const runId = img.scanRunId;
  const res = await d.scanner.get(runId);
  if (!res.ok) {
    if (!isFinal(res.error) && c.now < deadline)
      return { img, state: 'waiting', deadline, afterSeconds: poll, detail: `run ${runId} (${res.error.message})` };
    return retryOrGiveUp(`scan run ${runId} could not be read: ${describeFailure(res.error)}`);
  }
  const run = res.value;
  if (run.state === 'running') {
    if (c.now > deadline) return retryOrGiveUp(`scan run ${runId} did not finish within ${d.settings.scanDeadlineSeconds} s`);
    return { img, state: 'waiting', deadline, afterSeconds: poll, detail: `run ${runId}` };
  }
  if (run.state === 'failed') return retryOrGiveUp(`scan run ${runId} failed: ${run.reason}`);
  const judged = await judgeReport(c, digest, runId, run.report);
  if (!judged.ok) return retryOrGiveUp(judged.error);
  return { img: { ...img, verdict: judged.value.outcome, summary: judged.value.summary }, state: 'done', scan: judged.value.scan };
}
