/**
 * The page's only way to the deployer: the public API under the page's own base (/api/), with the
 * function key in x-functions-key. GETs are conditional (If-None-Match): an unchanged answer is a
 * 304 with no body. Requests from a signed-in browser also carry App Service's session cookie, so
 * the API records the Entra principal on every action.
 */
const KEY = 'tailspin.functionKey';

/** A key given in the URL fragment (#key=…, never sent to any server) is kept for this tab and taken out of the address bar. */
export function takeKeyFromFragment(loc: Location, store: Storage, history: History): void {
  const m = /^#key=([^&]+)/.exec(loc.hash);
  if (!m?.[1]) return;
  store.setItem(KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${loc.pathname}${loc.search}#/`);
}

export const keyStore = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (k: string): void => sessionStorage.setItem(KEY, k),
  clear: (): void => sessionStorage.removeItem(KEY),
};

export type GetResult<T> =
  { kind: 'ok'; data: T; etag: string | null } | { kind: 'same' } | { kind: 'error'; status: number; message: string };

/** /api/ — the directory the page itself is served from (…/api/dashboard). */
const base = (): URL => new URL('.', location.href);

async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: string };
    return body.error ?? `${res.status} ${res.statusText}`;
  } catch {
    return `${res.status} ${res.statusText}`;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = keyStore.get();
  return { ...(key ? { 'x-functions-key': key } : {}), ...extra };
}

export async function get<T>(path: string, etag?: string | null): Promise<GetResult<T>> {
  try {
    const res = await fetch(new URL(path, base()), { headers: headers(etag ? { 'if-none-match': etag } : {}), cache: 'no-store' });
    if (res.status === 304) return { kind: 'same' };
    if (!res.ok) return { kind: 'error', status: res.status, message: await errorOf(res) };
    return { kind: 'ok', data: (await res.json()) as T, etag: res.headers.get('etag') };
  } catch (e) {
    return { kind: 'error', status: 0, message: e instanceof Error ? e.message : 'network error' };
  }
}

export type PostResult = { kind: 'ok'; releaseId: string } | { kind: 'error'; status: number; message: string };

/** POST /api/deployments; one Idempotency-Key per confirmed dialog, so a double submit is one release. */
export async function requestDeployment(body: Record<string, string>, idempotencyKey: string): Promise<PostResult> {
  try {
    const res = await fetch(new URL('deployments', base()), {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', 'idempotency-key': idempotencyKey }),
      body: JSON.stringify(body),
    });
    if (res.status !== 202) return { kind: 'error', status: res.status, message: await errorOf(res) };
    const out = (await res.json()) as { releaseId: string };
    return { kind: 'ok', releaseId: out.releaseId };
  } catch (e) {
    return { kind: 'error', status: 0, message: e instanceof Error ? e.message : 'network error' };
  }
}
