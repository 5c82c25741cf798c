/**
 * Serves HTTP registrations the way the Functions host does: /api/<route>, method filter,
 * function keys for authLevel "function"/"admin", real HttpRequest/HttpResponse objects.
 * Also the host's Event Grid endpoint: /runtime/webhooks/eventgrid?functionName=<name>.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { HttpRequest, HttpResponse, InvocationContext } from '../functions/azure-functions.js';
import type { EventGridRegistration, HttpRegistration } from '../functions/registrar.js';
import type { Logger } from '../services/ports.js';

/** The Functions host's default maximum request body (100 MB). */
const HOST_MAX_BODY = 100 * 1024 * 1024;

interface Route {
  name: string;
  reg: HttpRegistration;
  pattern: RegExp;
  params: string[];
}

export interface HttpHostOptions {
  http: Map<string, HttpRegistration>;
  eventGrid: Map<string, EventGridRegistration>;
  functionKey: string;
  logger: Logger;
}

export function compileRoute(route: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = route
    .split('/')
    .map((seg) => {
      const m = /^\{([A-Za-z_]\w*)(?::[^}?]+)?(\?)?\}$/.exec(seg);
      if (!m) return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      params.push(m[1] ?? '');
      return m[2] ? '(?:/([^/]+))?' : '/([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^/api${source}/?$`, 'i'), params };
}

export function createHttpHost(opts: HttpHostOptions): Server {
  const routes: Route[] = [...opts.http].map(([name, reg]) => ({ name, reg, ...compileRoute(reg.route) }));
  const keyOk = (given: string | null): boolean => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(opts.functionKey);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  return createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      opts.logger.error('local host request failed', { error: e, url: req.url });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();

    if (url.pathname === '/runtime/webhooks/eventgrid') return eventGrid(req, res, url);

    const matches = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m);
    if (matches.length === 0) return send(res, { status: 404, jsonBody: { error: `no function at ${url.pathname}` } });
    const hit = matches.find((x) => x.r.reg.methods.includes(method as never));
    if (!hit?.m) return send(res, { status: 405, headers: { allow: matches.flatMap((x) => x.r.reg.methods).join(', ') } });
    const { r, m } = hit;
    if (r.reg.authLevel !== 'anonymous' && !keyOk(req.headers['x-functions-key']?.toString() ?? url.searchParams.get('code'))) {
      return send(res, { status: 401, jsonBody: { error: 'missing or wrong function key (x-functions-key header or ?code=)' } });
    }
    const body = await readBody(req);
    if (body === 'too-large') return send(res, { status: 413, jsonBody: { error: 'request body exceeds the host limit of 100 MB' } });

    const params = routeParams(r.params, m);
    if (!params) return send(res, { status: 400, jsonBody: { error: `malformed percent-encoding in ${url.pathname}` } });
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: flattenHeaders(req),
      query: Object.fromEntries(url.searchParams),
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const context = new InvocationContext({ invocationId: randomUUID(), functionName: r.name, logHandler: () => undefined });
    const result = await r.reg.handler(request, context);
    return send(res, result ?? { status: 204 });
  }

  async function eventGrid(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = url.searchParams.get('functionName') ?? '';
    const reg = opts.eventGrid.get(name);
    if (!reg) return send(res, { status: 404, jsonBody: { error: `no Event Grid function named "${name}"` } });
    if (!keyOk(req.headers['x-functions-key']?.toString() ?? url.searchParams.get('code'))) {
      return send(res, { status: 401, jsonBody: { error: 'missing or wrong system key' } });
    }
    const body = await readBody(req);
    if (body === 'too-large') return send(res, { status: 413 });
    let events: unknown;
    try {
      events = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return send(res, { status: 400, jsonBody: { error: 'body is not JSON' } });
    }
    // The host binds each event to the trigger's EventGridEvent; one that is not even an object is refused, the others delivered.
    const batch = Array.isArray(events) ? events : [events];
    const results = batch.map((event, index) =>
      typeof event === 'object' && event !== null && !Array.isArray(event)
        ? { index, outcome: 'delivered' }
        : {
            index,
            outcome: 'invalid',
            reason: `event ${index} is ${event === null ? 'null' : typeof event}, not an Event Grid event object`,
          },
    );
    if (batch.length === 0 || results.every((r) => r.outcome === 'invalid'))
      return send(res, { status: 400, jsonBody: { error: 'no Event Grid event in the batch', results } });
    // The host delivers one event per invocation.
    for (const [i, event] of batch.entries()) {
      if (results[i]?.outcome !== 'delivered') continue;
      const context = new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: () => undefined });
      await reg.handler(event as never, context);
    }
    return send(res, { status: 202, jsonBody: { results } });
  }
}

/** Route values decoded as the host does; undefined when a value is not valid percent-encoded UTF-8. */
function routeParams(names: string[], m: RegExpExecArray): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  try {
    names.forEach((p, i) => {
      const v = m[i + 1];
      if (v !== undefined) params[p] = decodeURIComponent(v);
    });
  } catch (e) {
    if (e instanceof URIError) return undefined;
    throw e;
  }
  return params;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: IncomingMessage): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > HOST_MAX_BODY) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function send(res: ServerResponse, init: HttpResponseInit | HttpResponse): Promise<void> {
  const response = init instanceof HttpResponse ? init : new HttpResponse(init);
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}
