/**
 * Every action goes through here: what will happen, a reason (required: it goes into the timeline,
 * statuses and issues), confirm. One Idempotency-Key per dialog, so a double click is one release;
 * on 202 the new release opens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { requestDeployment } from '../api.js';
import { releaseHref } from '../route.js';

export type ActionRequest =
  | { kind: 'redeploy'; app: string; environment: string }
  | { kind: 'rollback'; app: string; environment: string; to: string; image?: string }
  | { kind: 'release'; app: string; environment: string; image: string; from: string };

function describe(a: ActionRequest): { title: string; text: string; body: Record<string, string> } {
  const where = `${a.app} in ${a.environment}`;
  switch (a.kind) {
    case 'redeploy':
      return { title: `Redeploy ${where}`, text: `Deploys the last verified release of ${where} again.`, body: { action: 'redeploy' } };
    case 'rollback':
      return {
        title: `Roll back ${where}`,
        text: `Rolls ${where} back to release ${a.to}${a.image ? ` (${a.image})` : ''}, which passed verification.`,
        body: { action: 'rollback', to: a.to },
      };
    case 'release':
      return {
        title: `Release from quarantine`,
        text: `Deploys ${a.image} to ${where} again, although release ${a.from} failed with it. It is scanned and verified like any release.`,
        body: { action: 'deploy', image: a.image },
      };
  }
}

export function ActionDialog({ request, principal, onClose }: { request: ActionRequest; principal: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const d = describe(request);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) return setError('Say why: the reason goes into the timeline, statuses and issues.');
    setBusy(true);
    setError(null);
    const out = await requestDeployment(
      { app: request.app, environment: request.environment, ...d.body, reason: reason.trim() },
      idempotencyKey,
    );
    setBusy(false);
    if (out.kind === 'error') return setError(out.message);
    onClose();
    location.hash = releaseHref(out.releaseId);
  };
  return (
    <dialog ref={dialog} aria-labelledby="action-title" onClose={onClose} class="action">
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="action-title">{d.title}</h2>
        <p>{d.text}</p>
        <p class="muted">Recorded as {principal || 'the function key holder (not signed in)'}.</p>
        <label for="reason">Reason</label>
        <textarea id="reason" rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} required />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Confirm'}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
