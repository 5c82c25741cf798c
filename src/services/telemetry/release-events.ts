/**
 * What a release's saves mean as telemetry, as pure functions: the store decorator (decorators.ts)
 * hands over the release before and after a save, and gets back the metrics and spans to report.
 */
import { isTerminal, type Phase, type Release } from '../domain/release.js';
import { phaseSpanIdOf, rootSpanIdOf, traceIdOf } from './ids.js';
import type { CounterName, HistogramName } from './names.js';
import type { Attributes, FinishedSpan } from './port.js';

export interface Observations {
  counts: { name: CounterName; value: number; attributes: Attributes }[];
  records: { name: HistogramName; value: number; attributes: Attributes }[];
  spans: FinishedSpan[];
}

/** Phases a release should not have entered: their spans are marked as errors. */
const BAD: readonly Phase[] = ['rolling_back', 'rolled_back', 'failed', 'blocked', 'unverified'];

const seconds = (from: string | Date, to: Date) => Math.max(0, (to.getTime() - new Date(from).getTime()) / 1000);

const base = (r: Release): Attributes => ({ app: r.app, environment: r.environment, kind: r.kind });

/** When the release entered its current phase. */
const enteredAt = (r: Release): string => r.timeline.at(-1)?.at ?? r.createdAt;

/** A save that moved `before` to `after` at `now`. */
export function observeSave(before: Release, after: Release, now: Date): Observations {
  const out: Observations = { counts: [], records: [], spans: [] };
  const traceId = traceIdOf(after.id);
  const root = rootSpanIdOf(after.id);
  const ids = { 'release.id': after.id, correlation_id: after.correlationId };
  if (after.phase !== before.phase) {
    const since = enteredAt(before);
    const reason = after.timeline.at(-1)?.reason ?? '';
    out.records.push({
      name: 'tailspin.release.phase.duration',
      value: seconds(since, now),
      attributes: { ...base(after), phase: before.phase, to: after.phase },
    });
    out.spans.push({
      name: `phase ${before.phase}`,
      traceId,
      spanId: phaseSpanIdOf(after.id, Math.max(0, before.timeline.length - 1)),
      parentSpanId: root,
      start: new Date(since),
      end: now,
      attributes: { ...base(after), ...ids, phase: before.phase, to: after.phase, reason },
      ...(BAD.includes(after.phase) ? { error: true } : {}),
    });
    if (before.phase === 'scanning')
      out.records.push({
        name: 'tailspin.scan.duration',
        value: seconds(before.progress.scanStartedAt ?? since, now),
        attributes: { ...base(after), verdict: after.phase === 'blocked' ? 'blocked' : 'passed' },
      });
    if (isTerminal(after.phase)) {
      out.counts.push({ name: 'tailspin.releases.completed', value: 1, attributes: { ...base(after), outcome: after.phase } });
      if (after.phase === 'succeeded')
        out.records.push({ name: 'tailspin.release.push_to_verified', value: seconds(after.createdAt, now), attributes: base(after) });
      out.spans.push({
        name: `release ${after.app}`,
        traceId,
        spanId: root,
        start: new Date(after.createdAt),
        end: now,
        attributes: { ...base(after), ...ids, outcome: after.phase, door: after.source.door, reason },
        ...(BAD.includes(after.phase) ? { error: true } : {}),
      });
    }
  }
  // The ending's own save owes every notice (they are sent after it is stored); what a delivery attempt
  // leaves behind is the backlog worth watching.
  if (isTerminal(before.phase) && isTerminal(after.phase))
    out.records.push({ name: 'tailspin.notifications.pending', value: after.progress.notifyPending?.length ?? 0, attributes: base(after) });
  return out;
}

/** A pipeline tick loaded `r` at `now`: how late it ran, when it was due (undefined: not due yet, or done). */
export function tickLag(r: Release, now: Date): number | undefined {
  if (isTerminal(r.phase) || !r.nextCheckAt) return undefined;
  const late = (now.getTime() - new Date(r.nextCheckAt).getTime()) / 1000;
  return late >= 0 ? late : undefined;
}
