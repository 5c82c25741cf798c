/**
 * Version releases (a pushed git tag vX.Y.Z): give the commit's image the version tag once the gate
 * has passed it, without rebuilding when the image exists. They deploy nothing and touch no deploy
 * slot: queued finds the commit's candidate image (the tag the build pushed) or builds it; building
 * follows that build; scanning takes the gate's verdict for the digest (cached, or a scan of its own),
 * then the signature gate's (signature-gate.ts, the same judgement image releases get): a version tag
 * follows every gate.
 */
import type { TerminalPhase } from '../../domain/release.js';
import { advance, wait, type Decision, type Patch } from '../decision.js';
import { addSeconds, describeFailure, retryUntil, startScan, waitingSince, type StepContext } from './common.js';
import { cachedVerdict, judgeReport } from './scan-gate.js';
import { signatureGate } from './signature-gate.js';
import { withVersionBuild } from '../../domain/head.js';

/** Ends a version release without touching the app's head (it never held or waited for anything there). */
const end = (to: TerminalPhase, reason: string, patch: Patch = {}): Decision => advance(to, reason, patch);

/**
 * The version release's first step: only a tag on the deploy branch's history versions an image. The
 * door cannot tell (a push's base_ref names a branch only when the tag is at its tip), so GitHub's
 * compare decides here, behind the queue: `behind` or `identical` is in the history, `ahead` or
 * `diverged` is not (ended with the reason); GitHub down is waited for with the release's deadline.
 */
export async function versionOnBranch(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  if (r.progress.onDeployBranchAt || !r.commit || !r.version) return versionQueued(c);
  const branch = d.catalog.deployBranch;
  const short = r.commit.slice(0, 7);
  const res = await d.source.compareCommits(branch, r.commit);
  if (!res.ok) {
    if (res.error.kind === 'not-found')
      return end(
        'blocked',
        `ignored: tag ${r.version} points at ${short}, which GitHub does not know in ${d.catalog.repository}: nothing is versioned`,
      );
    const deadline = deadlineOf(c);
    return retryUntil(c, res.error, { on: 'source', for: `is ${short} in ${branch}'s history`, deadline }, (e) =>
      end(
        'failed',
        `could not tell whether ${short} is in ${branch}'s history, so ${r.version ?? ''} was not given: ${describeFailure(e, (c.now.getTime() - waitingSince(c, 'source').getTime()) / 1000)}`,
      ),
    );
  }
  const { status, aheadBy } = res.value;
  if (status === 'ahead' || status === 'diverged')
    return end(
      'blocked',
      `ignored: tag ${r.version} points at ${short}, which is not in ${branch}'s history (GitHub compare ${branch}...${short}: ${status}, ${aheadBy} commit${aheadBy === 1 ? '' : 's'} not on ${branch}): nothing is versioned`,
    );
  const next = await versionQueued(c);
  return { ...next, progress: { ...next.progress, onDeployBranchAt: c.now.toISOString() } };
}

export async function versionQueued(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app || !r.commit || !r.version) return end('failed', 'version release without an app, a commit or a version');
  const found = await d.builder.resolveTag(app.acrRepository, r.commit);
  if (found.ok) {
    const image = { registry: d.settings.acrLoginServer, repository: app.acrRepository, digest: found.value, tag: r.commit };
    return advance('scanning', `${app.acrRepository}:${r.commit.slice(0, 7)} is ${found.value}: no rebuild; taking its gate verdict`, {
      image,
    });
  }
  if (found.error.kind === 'not-found') {
    // Recorded before the build starts: its ImagePushed must version the image, not deploy an older commit.
    if (!(await rememberVersionBuild(c, r.commit))) return wait('slot', 'recording the version build on the app head', deadlineOf(c), 1);
    const res = await d.builder.start({
      app: app.name,
      commit: r.commit,
      repository: d.catalog.repository,
      dockerfile: app.dockerfile,
      context: app.buildContext,
      imageNames: [`${app.acrRepository}:${r.commit}`],
    });
    if (res.ok)
      return advance('building', `no image of ${r.commit.slice(0, 7)} yet: ACR build ${res.value.runId} started for ${r.version}`, {
        progress: { buildRunId: res.value.runId, buildStartedAt: c.now.toISOString() },
        afterSeconds: d.settings.buildPollSeconds,
      });
    return retryUntil(c, res.error, { on: 'build', for: 'scheduling the build', deadline: deadlineOf(c) }, (e) =>
      end('failed', `build of ${r.commit?.slice(0, 7) ?? ''} for ${r.version ?? ''} could not be scheduled: ${e.message}`),
    );
  }
  return retryUntil(c, found.error, { on: 'registry', for: `looking up ${app.acrRepository}:${r.commit}`, deadline: deadlineOf(c) }, (e) =>
    end('failed', `the image of ${r.commit?.slice(0, 7) ?? ''} could not be looked up: ${e.message}`),
  );
}

export async function versionBuilding(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  const runId = r.progress.buildRunId ?? '';
  const res = await d.builder.get(runId);
  if (!res.ok)
    return retryUntil(c, res.error, { on: 'build', for: `build run ${runId}`, deadline: deadlineOf(c) }, (e) =>
      end('failed', `build run ${runId} could not be read: ${e.message}`),
    );
  const run = res.value;
  if (run.state === 'running') {
    if (c.now > deadlineOf(c)) return end('failed', `build run ${runId} did not finish in time`);
    return wait('build', `build run ${runId}`, deadlineOf(c), d.settings.buildPollSeconds);
  }
  if (run.state === 'failed')
    return end('failed', `build run ${runId} failed: ${run.reason}`, {
      outcome: { build: { runId, state: 'failed', reason: run.reason } },
    });
  if (!run.digest || !app) return end('failed', `build run ${runId} reported no digest`);
  const image = {
    registry: d.settings.acrLoginServer,
    repository: app.acrRepository,
    digest: run.digest,
    ...(r.commit ? { tag: r.commit } : {}),
  };
  return advance('scanning', `built ${run.digest} by run ${runId}; taking its gate verdict`, {
    image,
    outcome: { build: { runId, state: 'succeeded', digest: run.digest } },
  });
}

export async function versionGate(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const image = r.image;
  if (!image || !r.version) return end('failed', 'version release without an image or a version');
  // The scan gate passed and the signature gate (or the tagging) waits for the registry: ask it only.
  if (r.wait?.on === 'registry' && r.outcome.scan?.outcome === 'pass')
    return afterScanPassed(c, 'scan gate passed', { outcome: r.outcome });
  const cached = await cachedVerdict(c, image.digest);
  if (cached)
    return decide(c, cached.outcome, `scan verdict from ${cached.scannedAt} (cached): ${cached.summary}`, {
      scan: { ...cached.verdict, cached: true },
    });
  if (!r.progress.scanRunId) return startScan(c, 1);
  const res = await d.scanner.get(r.progress.scanRunId);
  if (!res.ok)
    return retryUntil(c, res.error, { on: 'scan', for: `run ${r.progress.scanRunId}`, deadline: deadlineOf(c) }, (e) =>
      end('failed', `scan could not be read: ${e.message}`),
    );
  if (res.value.state === 'running') {
    if (c.now > deadlineOf(c)) return end('failed', `no gate verdict for ${image.digest} in time`);
    return wait('scan', `run ${res.value.runId}`, deadlineOf(c), d.settings.scanPollSeconds);
  }
  if (res.value.state === 'failed')
    return end('failed', `scan run ${res.value.runId} failed: ${res.value.reason} (the version is not given)`);
  const judged = await judgeReport(c, image.digest, res.value.runId, res.value.report);
  if (!judged.ok) return end('failed', judged.error);
  return decide(c, judged.value.outcome, `scan gate: ${judged.value.summary}`, { scan: judged.value.scan });
}

function decide(c: StepContext, outcome: 'pass' | 'blocked', why: string, record: Patch['outcome']): Promise<Decision> {
  return outcome === 'blocked' ? withheld(c, 'scan gate', why, { outcome: record }) : afterScanPassed(c, why, { outcome: record });
}

/** The scan gate passed: the signature gate's judgement (the same one image releases get), then the version tag. */
const afterScanPassed = (c: StepContext, why: string, patch: Patch): Promise<Decision> =>
  // A signature already recorded passed (a refusal ends the release): only the tagging is tried again.
  c.r.wait?.on === 'registry' && c.r.outcome.signature
    ? tagVersion(c, why, patch)
    : signatureGate(c, why, patch, {
        pass: (reason, p) => tagVersion(c, reason, p),
        block: (reason, p) => withheld(c, 'signature gate', reason, p),
      });

/** A gate refused the digest: it is not given the version, and the release says which gate and why. */
function withheld(c: StepContext, gate: string, why: string, patch: Patch): Promise<Decision> {
  const { image, version } = { image: c.r.image!, version: c.r.version! };
  const tags = { at: c.now.toISOString(), added: [], withheld: [{ tag: version, reason: `the ${gate} blocked this digest` }] };
  return Promise.resolve(
    end('blocked', `${why}; ${image.digest} is not given ${version}`, { ...patch, outcome: { ...patch.outcome, tags } }),
  );
}

async function tagVersion(c: StepContext, why: string, patch: Patch): Promise<Decision> {
  const { r, d } = c;
  const image = r.image!;
  const version = r.version!;
  const record = patch.outcome ?? {};
  const at = c.now.toISOString();
  if (!d.tags) return end('failed', `registry tagging is not configured (ACR_RESOURCE_ID): ${version} was not given`, { outcome: record });
  const tagged = await d.tags.tag(image.repository, image.digest, [version]);
  if (!tagged.ok) {
    const next = await retryUntil(
      c,
      tagged.error,
      { on: 'registry', for: `tagging ${image.digest} ${version}`, deadline: deadlineOf(c) },
      (e) =>
        end('failed', `${version} could not be given to ${image.digest}: ${e.message}`, {
          outcome: { ...record, tags: { at, added: [], error: e.message } },
        }),
    );
    // While waiting, keep the gates' findings: the next look only tags.
    return next.kind === 'wait' ? { ...next, outcome: record } : next;
  }
  return end('succeeded', `${image.repository}@${image.digest} tagged ${version} (${why})`, {
    outcome: { ...record, tags: { at, added: [version] } },
  });
}

async function rememberVersionBuild(c: StepContext, commit: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const head = await c.d.store.head(c.r.app, c.r.environment);
    if (head.versionBuilds?.includes(commit)) return true;
    if ((await c.d.store.putHead(withVersionBuild(head, commit))).ok) return true;
  }
  return false;
}

/** One deadline for the whole version release: a build and a scan, at most. */
const deadlineOf = (c: StepContext): Date =>
  addSeconds(c.r.createdAt, c.d.settings.buildDeadlineSeconds + c.d.settings.scanDeadlineSeconds);
