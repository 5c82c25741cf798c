/**
 * The signature gate, between the scan gate and the deploy slot: is the exact digest signed with cosign
 * by a trusted key? `warn` records the finding and goes on; `enforce` blocks anything not verified. A
 * registry that cannot be read is waited for (with a deadline), never taken as a pass under `enforce`.
 */
import type { SignatureRecord } from '../../domain/release.js';
import { judgeSignatures } from '../../signature/index.js';
import type { Decision, Patch } from '../decision.js';
import { acquireSlot, addSeconds, describeFailure, finish, retryUntil, waitingSince, type StepContext } from './common.js';
import { blockedTags, promoteTags } from './after-gate.js';

export type SignaturePolicy = 'off' | 'warn' | 'enforce';

export const signaturePolicyFor = (c: StepContext): SignaturePolicy => c.app?.signaturePolicy ?? c.d.settings.signature?.policy ?? 'off';

/** A gate blocked this digest: it keeps only the tag it was pushed with, and the release says so. */
function withheldTags(c: StepContext, patch: Patch, gate: string): Patch {
  const tags = blockedTags(c, gate);
  return tags ? { ...patch, outcome: { ...patch.outcome, tags } } : patch;
}

/** The scan gate's verdict, fresh or cached: blocked, or on to the signature gate. */
export function afterScan(c: StepContext, outcome: 'pass' | 'blocked', reason: string, patch: Patch): Promise<Decision> {
  return outcome === 'pass' ? afterScanPassed(c, reason, patch) : finish(c, 'blocked', reason, {}, withheldTags(c, patch, 'scan gate'));
}

/** Every gate passed: the moving tags (latest, a version) follow the verdict, then the deploy slot. */
async function gatesPassed(c: StepContext, reason: string, patch: Patch): Promise<Decision> {
  const tags = await promoteTags(c);
  return acquireSlot(c, reason, tags ? { ...patch, outcome: { ...patch.outcome, tags } } : patch);
}

/**
 * A release that waits for the deploy slot after every gate passed (their verdicts are on the release):
 * look at the slot only, reading neither the scan nor the signatures again (queued.ts, scanning.ts).
 */
export function slotAfterGates(c: StepContext): Promise<Decision> | undefined {
  const { scan, signature } = c.r.outcome;
  if (c.r.wait?.on !== 'slot' || scan?.outcome !== 'pass') return undefined;
  const policy = signaturePolicyFor(c);
  const signed = policy === 'off' || (signature && (signature.outcome === 'verified' || policy === 'warn'));
  if (!signed) return undefined;
  const gates = [
    `scan gate passed (${scan.cached ? 'cached verdict' : `run ${scan.runId}`})`,
    ...(signature && policy !== 'off'
      ? [`signature gate${signature.outcome === 'verified' ? '' : ' (warn, not enforced)'}: ${signature.summary}`]
      : []),
  ];
  return acquireSlot(c, gates.join('; '));
}

/**
 * Where the signature judgement leads, by kind of release: an image release takes the deploy slot or
 * ends blocked; a version release is given its version or ends without it (version.ts).
 */
export interface SignatureExits {
  pass(reason: string, patch: Patch): Promise<Decision>;
  block(reason: string, patch: Patch): Promise<Decision>;
}

/** The scan gate passed with `reason`: check the signature (unless off), then move the tags and take the deploy slot. */
export const afterScanPassed = (c: StepContext, reason: string, patch: Patch = {}): Promise<Decision> =>
  signatureGate(c, reason, patch, {
    pass: (why, p) => gatesPassed(c, why, p),
    block: (why, p) => finish(c, 'blocked', why, {}, withheldTags(c, p, 'signature gate')),
  });

/**
 * The one signature judgement of the release's digest, after the scan gate passed with `reason`:
 * `off` passes, `warn` records and passes, `enforce` passes only a verified signature. A registry
 * that cannot be read is waited for up to the deadline, then judged unreadable (never a pass under enforce).
 */
export async function signatureGate(c: StepContext, reason: string, patch: Patch, exits: SignatureExits): Promise<Decision> {
  const policy = signaturePolicyFor(c);
  const image = c.r.image;
  if (policy === 'off' || !image) return exits.pass(reason, patch);
  const { d, now } = c;
  const record = (r: Omit<SignatureRecord, 'policy' | 'at'>): Patch => ({
    ...patch,
    outcome: { ...patch.outcome, signature: { policy, at: now.toISOString(), ...r } },
  });
  const decide = (r: Omit<SignatureRecord, 'policy' | 'at'>): Promise<Decision> =>
    r.outcome === 'verified'
      ? exits.pass(`${reason}; signature gate: ${r.summary}`, record(r))
      : policy === 'enforce'
        ? exits.block(`signature gate: ${r.summary}`, record(r))
        : exits.pass(`${reason}; signature gate (warn, not enforced): ${r.summary}`, record(r));

  const settings = d.settings.signature;
  if (!settings?.keys.length || !d.signatures)
    return decide({ outcome: 'unreadable', summary: 'no trusted key is configured (COSIGN_PUBLIC_KEY)', looked: [], refused: [] });

  const res = await d.signatures.find(image);
  if (!res.ok) {
    const deadline = addSeconds(waitingSince(c, 'registry'), settings.deadlineSeconds);
    const next = await retryUntil(
      c,
      res.error,
      { on: 'registry', for: `signatures of ${image.digest}`, deadline, pollSeconds: settings.pollSeconds },
      (e) =>
        decide({
          outcome: 'unreadable',
          summary: `signatures of ${image.digest} could not be read (fail closed): ${describeFailure(e, (now.getTime() - waitingSince(c, 'registry').getTime()) / 1000)}`,
          looked: [],
          refused: [],
        }),
    );
    // While waiting, keep what the scan gate found: the next look starts from it (scanning.ts, version.ts).
    return next.kind === 'wait' ? { ...next, ...patch } : next;
  }
  const { candidates, looked, notes } = res.value;
  const j = judgeSignatures(image.digest, candidates, settings.keys, looked);
  return decide({
    outcome: j.outcome,
    summary: j.summary,
    ...(j.keyId ? { keyId: j.keyId } : {}),
    ...(j.source ? { source: j.source } : {}),
    looked,
    refused: [...j.refused, ...notes.map((why) => ({ source: 'registry', why }))].slice(0, 10),
  });
}
