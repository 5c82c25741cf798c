/**
 * Following a SARIF upload to the end. GitHub processes an upload after accepting it (`pending`, then
 * `complete` with the analyses, or `failed` with errors); the upload step reads that once, and from then
 * on it is one more thing owed to GitHub, sent with the notices (notify.ts): looked at again on every
 * transition of the release and, once it ended, with the notices' backoff — never holding a release
 * up. It ends when GitHub says complete or failed, or after SARIF_FOLLOW_SECONDS (recorded as given up,
 * with the reason). Once the analysis is known, a release's issue that was opened before gets a comment
 * linking it (an issue opened later carries the link in its body).
 */
import { SARIF_NOTICE, type CodeScanningRecord, type Notice, type Release } from '../domain/release.js';
import { adapterError, err, ok, type Result } from '../domain/result.js';
import type { CodeScanning, SarifProcessing, SourceControl } from '../ports.js';

/** GitHub processes an upload within minutes; past this the follow is given up (and says so). */
export const SARIF_FOLLOW_SECONDS = 3600;

/** Still owed: GitHub has not said how processing went, or an issue opened before it did is not told yet. */
export function followingSarif(cs: CodeScanningRecord | undefined, issueUrl: string | undefined): boolean {
  if (cs?.state !== 'uploaded' || !cs.sarifId || cs.gaveUpAt) return false;
  return !isFinal(cs) || (!!issueUrl && !!linkOf(cs) && !cs.issueLinked);
}

/** The notices a release owes: the SARIF follow joins them while it is not done. */
export const withSarif = (notices: readonly Notice[], r: Pick<Release, 'outcome'>): Notice[] =>
  followingSarif(r.outcome.codeScanning, r.outcome.links?.issue)
    ? [...notices.filter((n) => n !== SARIF_NOTICE), SARIF_NOTICE]
    : [...notices];

/** An issue just opened or commented with the release's evidence: it carries the analysis link when known. */
export const linkedByIssue = (cs: CodeScanningRecord | undefined, now: Date): CodeScanningRecord | undefined =>
  cs?.state === 'uploaded' && linkOf(cs) && !cs.issueLinked ? { ...cs, issueLinked: now.toISOString() } : undefined;

const isFinal = (cs: CodeScanningRecord): boolean => cs.processing === 'complete' || cs.processing === 'failed';
const linkOf = (cs: CodeScanningRecord): string | undefined => cs.analysesUrl ?? (cs.processing === 'failed' ? cs.url : undefined);

/** A status GitHub answered, as the release keeps it. */
export function withStatus(cs: CodeScanningRecord, s: SarifProcessing): CodeScanningRecord {
  return {
    ...cs,
    processing: s.processing,
    looks: (cs.looks ?? 0) + 1,
    ...(s.analysesUrl ? { analysesUrl: s.analysesUrl } : {}),
    ...(s.errors?.length ? { reason: `GitHub could not process the SARIF: ${s.errors.join('; ')}`.slice(0, 500) } : {}),
  };
}

export interface SarifFollowDeps {
  codeScanning?: CodeScanning;
  source: Pick<SourceControl, 'commentOnIssue'>;
  now: Date;
}

/**
 * One look: `record` is what to keep on the release (undefined: unchanged); the result is the notice's
 * (an error keeps it owed: a transient one while GitHub is still processing or cannot be asked).
 */
export async function followSarifOnce(
  d: SarifFollowDeps,
  current: CodeScanningRecord | undefined,
  issueUrl: string | undefined,
): Promise<{ record?: CodeScanningRecord; result: Result<unknown> | undefined }> {
  let cs = current;
  if (!cs || !followingSarif(cs, issueUrl)) return { result: undefined };
  const since = new Date(cs.at).getTime();
  const overdue = d.now.getTime() - since >= SARIF_FOLLOW_SECONDS * 1000;
  const giveUp = (why: string) => ({ record: { ...cs!, gaveUpAt: d.now.toISOString(), reason: why.slice(0, 500) }, result: ok(undefined) });
  if (!isFinal(cs)) {
    if (!d.codeScanning) return giveUp('code scanning is no longer configured: processing was not followed to the end');
    const s = await d.codeScanning.status(cs.sarifId ?? '');
    if (!s.ok) {
      const final = s.error.kind === 'auth' || s.error.kind === 'not-found' || s.error.kind === 'invalid';
      if (final || overdue)
        return giveUp(`processing status of SARIF ${cs.sarifId ?? ''} could not be read (${s.error.kind}): ${s.error.message}`);
      return { result: s };
    }
    cs = withStatus(cs, s.value);
    if (!isFinal(cs)) {
      if (overdue) return giveUp(`GitHub was still processing SARIF ${cs.sarifId ?? ''} after ${SARIF_FOLLOW_SECONDS / 60} minutes`);
      return { record: cs, result: err(adapterError('github', 'transient', `SARIF ${cs.sarifId ?? ''} is still being processed`)) };
    }
  }
  // Known now: an issue opened before is told where the analysis is (an issue opened later has it in its body).
  const link = linkOf(cs);
  if (!issueUrl || !link || cs.issueLinked) return { record: cs, result: ok(undefined) };
  const said =
    cs.processing === 'failed'
      ? `Code scanning could not process the SARIF of this scan (${cs.category ?? ''}): ${cs.reason ?? 'no reason given'}. Upload: ${link}`
      : `Code scanning analysis of this scan (${cs.category ?? ''}, commit \`${cs.commit ?? ''}\`, ${cs.results ?? 0} results): ${link}`;
  const commented = await d.source.commentOnIssue(issueUrl, said);
  return commented.ok ? { record: { ...cs, issueLinked: d.now.toISOString() }, result: commented } : { record: cs, result: commented };
}
