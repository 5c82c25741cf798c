/**
 * What the store reads back, checked field by field: releases, timelines, heads and cached scan
 * verdicts are JSON in table properties, so nothing comes out typed until it passes here. Fields
 * added over time are optional, so rows written by earlier versions still load.
 */
import { z } from 'zod';
import { ACTIVE_PHASES, ALL_NOTICES, TERMINAL_PHASES, WAIT_LABELS, WAIT_ON, type Release, type WaitOn } from '../../domain/release.js';
import type { Head as DomainHead } from '../../domain/head.js';
import type { CachedVerdict as PortVerdict } from '../../ports.js';

const str = z.string();
const opt = z.string().optional();
const num = z.number();
const pins = z.record(z.string(), z.string());

const Measurements = z.object({ requests: num, failures: num, errorRate: num.nullable(), p95Ms: num.nullable() });
const Thresholds = z.object({ errorRateMax: num, p95MsMax: num, minRequests: num });
const PodProblem = z.object({ pod: str, container: opt, reason: str, message: opt, restartCount: num.optional() });
const ClusterEvent = z.object({ involvedObject: str, type: str, reason: str, message: str, count: num.optional(), lastTimestamp: opt });
const SmokeResult = z.object({ check: str, ok: z.boolean(), status: num.optional(), durationMs: num, detail: opt });
const RolloutRecord = z.object({ revision: opt, replicas: num, ready: num, available: num });
const TelemetryTrouble = z.object({ at: str, from: str, error: str, failures: num });
const MeasurementRecord = Measurements.extend({
  slow: num.optional(),
  at: str,
  from: str,
  thresholds: Thresholds,
  perApp: z.record(z.string(), Measurements).optional(),
});

// ---------------------------------------------------------------- verification (see domain/release.ts VerificationRecord)
const Metric = z.enum(['errors', 'latency']);
const Side = z.enum(['breach', 'healthy', 'open']);
const Weighted = z.object({ requests: num, failures: num, slow: num.optional() });
const Counts = z.object({ requests: num, failures: num, slow: num.optional(), p95Ms: num.nullable().optional() });
const VerifyLook = Counts.extend({ sample: num, atS: num, weighted: Weighted.optional() });
const MetricEvidence = z.object({ rate: num.nullable(), ci95: z.tuple([num, num]).nullable(), llr: num, side: Side });
const TestState = z.object({ events: num, requests: num, rate: num.nullable(), llr: num, side: Side });
const Rule = z.object({ threshold: num, healthy: num, failing: num, upper: num, lower: num, endAlpha: num, endBeta: num });
const VerificationRecord = z.object({
  outcome: z.enum(['continue', 'breach', 'healthy', 'inconclusive']),
  reason: z.enum(['observing', 'breach', 'healthy', 'no-traffic', 'too-few-requests', 'thin-evidence', 'latency-not-measured']),
  metrics: z.array(Metric),
  decidedBy: z.enum(['sequential', 'window-end']).optional(),
  samples: num,
  atS: num,
  noTraffic: z.boolean(),
  blame: z.enum(['release', 'baseline']).optional(),
  regressions: z.array(Metric),
  windowEnd: z.partialRecord(Metric, z.object({ pHealthy: num, pFailing: num, side: Side })).optional(),
  baseline: z
    .object({
      counts: Counts,
      comparisons: z.array(
        z.object({ metric: Metric, baseline: TestState, breaching: z.boolean(), pValue: num.nullable(), worse: z.boolean() }),
      ),
    })
    .optional(),
  rule: z.object({ errors: Rule, latency: Rule }),
  evidence: z.array(
    z.object({
      look: num,
      atS: num,
      requests: num,
      failures: num,
      slow: num.nullable(),
      p95Ms: num.nullable(),
      interval: z.object({ requests: num, failures: num, slow: num.nullable() }),
      errors: MetricEvidence,
      latency: MetricEvidence.nullable(),
      weighted: Weighted.optional(),
    }),
  ),
  verdict: str,
  app: str,
  role: str,
  at: str,
  from: str,
  windowS: num,
  extended: z.boolean().optional(),
  perApp: z.record(z.string(), z.object({ outcome: z.enum(['continue', 'breach', 'healthy', 'inconclusive']), verdict: str })).optional(),
});

export const ScanRecord = z.object({
  runId: str,
  outcome: z.enum(['pass', 'blocked']),
  cached: z.boolean().optional(),
  counts: z.record(z.enum(['vulnerabilities', 'misconfigurations', 'secrets', 'blocking']), z.record(z.string(), num)),
  blocking: z.array(z.object({ id: str, severity: str, pkg: opt, installed: opt, fixed: opt, target: str })),
  blockingTotal: num,
  ignored: z.array(z.object({ id: str, reason: z.looseObject({ by: str }) })),
  staleIgnores: z.array(z.object({ file: str, id: str, sections: z.array(str), line: num.optional(), expiredAt: opt, statement: opt })),
  trivy: z.object({
    version: str.nullable(),
    db: z.object({ version: z.union([num, str]).optional(), updatedAt: opt, nextUpdate: opt }).nullable(),
  }),
  policy: z.object({
    severities: z.array(str),
    ignoreUnfixed: z.boolean(),
    blockSecrets: z.boolean(),
    blockMisconfigAt: str.nullable(),
    ignoreFile: str.nullable(),
  }),
  notes: z.array(str),
});

const RollbackIntent = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('image'), image: str, toReleaseId: str, startedAt: str }),
  z.object({ mode: z.literal('undo'), startedAt: str, image: opt, pins: pins.optional(), undone: z.array(str).optional() }),
  z.object({ mode: z.literal('reapply'), commit: str, startedAt: str, pins: pins.optional() }),
]);

const GatedImage = z.object({
  image: str,
  where: z.array(str),
  scanRunId: opt,
  scanStartedAt: opt,
  scanAttempt: num.optional(),
  verdict: z.enum(['pass', 'blocked']).optional(),
  summary: opt,
  cached: z.boolean().optional(),
});

const ReleaseProgress = z.object({
  compare: opt,
  truncated: z.boolean().optional(),
  resolvedTagAt: opt,
  onDeployBranchAt: opt,
  buildRunId: opt,
  buildStartedAt: opt,
  scanRunId: opt,
  scanStartedAt: opt,
  scanAttempt: num.optional(),
  deployIntent: z
    .object({ image: opt, undo: z.boolean().optional(), previousImage: opt, previousRevision: opt, previousWriter: z.string().optional() })
    .optional(),
  imageSetAt: opt,
  imageChanged: z.boolean().optional(),
  rolloutCompleteAt: opt,
  manifest: z
    .object({
      objects: z.array(z.record(z.string(), z.unknown())),
      pins,
      images: z.array(GatedImage).optional(),
      fallback: pins.optional(),
    })
    .optional(),
  slots: z.array(str).optional(),
  pinnedAt: opt,
  appliedAt: opt,
  smokeAttempt: num.optional(),
  smokePassedAt: opt,
  verifyStartedAt: opt,
  verifyUntil: opt,
  verifyExtended: z.boolean().optional(),
  telemetryFailures: num.optional(),
  verifyLooks: z.record(z.string(), z.array(VerifyLook)).optional(),
  verifyBaseline: z.record(z.string(), Counts).optional(),
  rollbackIntent: RollbackIntent.optional(),
  rollbackSetAt: opt,
  githubDeploymentId: num.optional(),
  notifyPending: z.array(z.enum(ALL_NOTICES)).optional(),
  notifyAttempts: num.optional(),
  notifySince: opt,
  notifyDueAt: opt,
  stepThrows: num.optional(),
});

const SignatureRecord = z.object({
  policy: z.enum(['warn', 'enforce']),
  outcome: z.enum(['verified', 'unsigned', 'invalid', 'unreadable']),
  summary: str,
  keyId: opt,
  source: opt,
  looked: z.array(str),
  refused: z.array(z.object({ source: str, why: str })),
  at: str,
});
const TagRecord = z.object({
  at: str,
  added: z.array(str),
  withheld: z.array(z.object({ tag: str, reason: str })).optional(),
  error: opt,
});
const KeptTagRecord = z.object({
  at: str,
  on: z.enum(['deployed', 'verified']),
  repository: str,
  digest: str,
  tags: z.array(str),
  state: z.enum(['done', 'failed']),
  error: opt,
});
const CodeScanningRecord = z.object({
  state: z.enum(['uploaded', 'skipped', 'failed']),
  at: str,
  reason: opt,
  category: opt,
  commit: opt,
  sarifId: opt,
  processing: opt,
  looks: num.optional(),
  gaveUpAt: opt,
  issueLinked: opt,
  analysesUrl: opt,
  url: opt,
  results: num.optional(),
});

const ReleaseOutcome = z.object({
  scan: ScanRecord.optional(),
  signature: SignatureRecord.optional(),
  tags: TagRecord.optional(),
  keptTags: z.array(KeptTagRecord).optional(),
  codeScanning: CodeScanningRecord.optional(),
  build: z.object({ runId: str, state: z.enum(['succeeded', 'failed']), reason: opt, digest: opt, image: opt }).optional(),
  rollout: RolloutRecord.optional(),
  manifest: z
    .object({
      commit: str,
      objects: z.array(str),
      pins,
      images: z
        .array(
          z.object({ image: str, where: z.array(str), verdict: z.enum(['pass', 'blocked']), summary: str, cached: z.boolean().optional() }),
        )
        .optional(),
    })
    .optional(),
  applied: z.array(str).optional(),
  smoke: z.array(SmokeResult).optional(),
  baseline: Measurements.extend({ from: str, to: str, slow: num.optional() }).optional(),
  telemetry: TelemetryTrouble.optional(),
  measurements: MeasurementRecord.optional(),
  verification: VerificationRecord.optional(),
  warning: opt,
  failure: z
    .object({
      reason: str,
      at: str,
      rollout: RolloutRecord.optional(),
      podProblems: z.array(PodProblem).optional(),
      smoke: z.array(SmokeResult).optional(),
      telemetry: TelemetryTrouble.optional(),
      measurements: MeasurementRecord.optional(),
      events: z.array(ClusterEvent).optional(),
      eventsError: z
        .object({ kind: z.enum(['transient', 'rate-limited', 'auth', 'not-found', 'conflict', 'invalid']), message: str })
        .optional(),
    })
    .optional(),
  rollback: z.intersection(RollbackIntent, z.object({ reason: str, completedAt: opt, revision: opt })).optional(),
  rollbackFailure: z.object({ reason: str, podProblems: z.array(PodProblem) }).optional(),
  links: z.record(z.string(), z.string()).optional(),
  notifyAbandoned: z.object({ notices: z.array(z.enum(ALL_NOTICES)), at: str, error: str }).optional(),
});

/** Rows written before waits named what they wait on carry only the text: its label says which. */
const LEGACY_WAIT = new Map(Object.entries(WAIT_LABELS).map(([on, label]) => [label, on as WaitOn]));
const Wait = z.preprocess(
  (v) => {
    if (typeof v !== 'object' || v === null || 'on' in v || !('for' in v) || typeof v.for !== 'string') return v;
    const on = LEGACY_WAIT.get(v.for.split(':')[0] ?? '');
    return on ? { ...v, on } : undefined;
  },
  z.object({ on: z.enum(WAIT_ON), for: str, since: str, deadline: str }).optional(),
);

const PinnedImage = z.object({ registry: str, repository: str, digest: str, tag: opt });
const Phase = z.enum([...ACTIVE_PHASES, ...TERMINAL_PHASES]);

export const ReleaseRecord = z.object({
  id: str,
  app: str,
  environment: str,
  kind: z.enum(['image', 'manifest', 'build', 'rollback', 'version']),
  phase: Phase,
  image: PinnedImage.optional(),
  unresolvedImage: opt,
  commit: opt,
  manifestCommit: opt,
  version: opt,
  source: z.object({ door: z.enum(['github', 'acr', 'manual', 'promotion']), eventId: str, actor: opt, reason: opt }),
  promotion: z.object({ id: str, from: str, upstreamReleaseId: str, requestedBy: str, approvedBy: z.array(str), evidence: str }).optional(),
  correlationId: str,
  createdAt: str,
  updatedAt: str,
  nextCheckAt: opt,
  wait: Wait,
  progress: ReleaseProgress,
  outcome: ReleaseOutcome,
});
export type ReleaseRecord = Omit<Release, 'timeline' | 'etag' | 'storedDueMs'>;

export const TimelineEntry = z.object({ at: str, from: Phase.nullable(), to: Phase, reason: str, correlationId: str });

const HeadRef = z.object({ releaseId: str, target: str, kind: z.literal('manifest').optional() });
export const Head = z.object({
  app: str,
  environment: str,
  active: HeadRef.optional(),
  pending: HeadRef.optional(),
  lastGood: HeadRef.extend({ image: PinnedImage.optional(), manifestCommit: opt }).optional(),
  latestBuild: HeadRef.extend({ commit: str }).optional(),
  supersededBuilds: z.array(str).optional(),
  lastBlocked: HeadRef.optional(),
  latestTag: z.object({ releaseId: str, digest: str, createdAt: str }).optional(),
  versionBuilds: z.array(str).optional(),
  quarantined: z.array(z.object({ digest: str, releaseId: str, at: str })),
});

export const CachedVerdict = z.object({
  outcome: z.enum(['pass', 'blocked']),
  summary: str,
  verdict: ScanRecord,
  scannedAt: str,
  expiresAt: str,
});

/** The schemas describe exactly the domain's types: a field added to one and not the other fails to compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _release: Same<z.infer<typeof ReleaseRecord>, ReleaseRecord> = true;
const _timeline: Same<z.infer<typeof TimelineEntry>, Release['timeline'][number]> = true;
const _head: Same<z.infer<typeof Head>, DomainHead> = true;
const _verdict: Same<z.infer<typeof CachedVerdict>, PortVerdict> = true;

/** A row that does not match is corrupt or from an unknown version: say which and where, never guess. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const where = res.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new Error(`stored ${what} does not match its schema: ${where}`);
}
