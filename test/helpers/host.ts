/** The local Functions host in-process, on random ports, with its own azurite. */
import { startLocalHost, type LocalHost } from '../../src/local/host.js';
import { sign } from '../../src/services/intake/signature.js';
import { createLogger, silentLogger } from '../../src/services/logger.js';
import { repoRoot } from './fixtures.js';
import { freePort } from '../../src/local/net.js';
import type { SandboxSlot } from '../../src/local/sandbox-slot.js';
import type { Logger } from '../../src/services/ports.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
export const FUNCTION_KEY = 'test-function-key-0123';

/** `logs`: every line at debug level into that array, or the logger given; silent without. */
export async function startTestHost(
  env: Record<string, string> = {},
  slots: SandboxSlot[] = [],
  logs?: string[] | Logger,
): Promise<LocalHost> {
  // The port is chosen first so that fakes which call back (ACR's ImagePushed) know where to.
  const port = await freePort();
  return startLocalHost({
    root: repoRoot,
    port,
    azuritePorts: 'random',
    slots,
    queueIdleMs: 50,
    env: {
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TAILSPIN_LOCAL_FUNCTION_KEY: FUNCTION_KEY,
      TAILSPIN_SANDBOX: slots.length ? 'on' : 'off',
      TAILSPIN_PUBLIC_URL: `http://localhost:${port}`,
      ...env,
    },
    overrides: {
      logger: !logs
        ? silentLogger
        : !Array.isArray(logs)
          ? logs
          : createLogger({
              service: 'test',
              environment: 'test',
              level: 'debug',
              sink: (l) => logs.push(l),
              secrets: [WEBHOOK_SECRET, FUNCTION_KEY],
            }),
    },
  });
}

export interface Delivery {
  event: string;
  body: string | Uint8Array;
  delivery?: string;
  secret?: string;
  signature?: string | null;
  contentType?: string;
}

export function postWebhook(host: LocalHost, d: Delivery): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': d.contentType ?? 'application/json',
    'x-github-event': d.event,
    'user-agent': 'GitHub-Hookshot/test',
  };
  if (d.delivery !== '') headers['x-github-delivery'] = d.delivery ?? crypto.randomUUID();
  const signature = d.signature === undefined ? sign(d.secret ?? WEBHOOK_SECRET, d.body) : d.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(`${host.url}/api/github/webhook`, { method: 'POST', headers, body: d.body });
}

export function postEvents(host: LocalHost, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${host.url}/api/acr/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-functions-key': FUNCTION_KEY },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function api(host: LocalHost, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${host.url}/api${path}`, {
    ...init,
    headers: { 'x-functions-key': FUNCTION_KEY, ...(init.headers as Record<string, string> | undefined) },
  });
}

/** Poll with an interval and a deadline; never a fixed sleep. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 20_000, intervalMs = 100): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
