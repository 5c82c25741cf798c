/**
 * Serves HTTP registrations the way the Functions host does: /api/<route>, method filter,
 * function keys for authLevel "function"/"admin", real HttpRequest/HttpResponse objects.
 * Also the host's Event Grid endpoint: /runtime/webhooks/eventgrid?functionName=<name>.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { HttpRequestInit, HttpResponseInit } from '@azure/functions';
import { HttpRequest, InvocationContext, type HttpResponse } from '../functions/azure-functions.js';
import { respond } from './respond.js';
import type { EventGridRegistration, HttpRegistration } from '../functions/registrar.js';
import type { Logger } from '../services/ports.js';

/** The Functions host's default maximum request body (100 MB). */
const HOST_MAX_BODY = 100 * 1024 * 1024;

/**
 * Idle keep-alive as the Functions host's Kestrel has it (130 s), not Node's 5 s. A pooling client
 * reuses a connection until the advertised timeout less a margin (undici: 2 s); with 5 s, a host whose
 * event loop stalls past that margin (1–6 s measured in the 3-host storm on a loaded machine) closes
 * connections a request was just written to, and the sender sees ECONNRESET.
 */
export const KEEP_ALIVE_MS = 130_000;

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

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      opts.logger.error('local host request failed', { error: e, url: req.url });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();

    if (url.pathname === '/runtime/webhooks/eventgrid') return eventGrid(req, res, url);

    const matches = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m);
    if (matches.length === 0) return respond(res, { status: 404, jsonBody: { error: `no function at ${url.pathname}` } });
    const hit = matches.find((x) => x.r.reg.methods.includes(method as never));
    if (!hit?.m) return respond(res, { status: 405, headers: { allow: matches.flatMap((x) => x.r.reg.methods).join(', ') } });
    const { r, m } = hit;
    if (r.reg.authLevel !== 'anonymous' && !keyOk(req.headers['x-functions-key']?.toString() ?? url.searchParams.get('code'))) {
      return respond(res, { status: 401, jsonBody: { error: 'missing or wrong function key (x-functions-key header or ?code=)' } });
    }
    const tooLarge = { status: 413, jsonBody: { error: 'request body exceeds the host limit of 100 MB' } };
    if (Number(req.headers['content-length'] ?? '0') > HOST_MAX_BODY) return respond(res, tooLarge);

    const params = routeParams(r.params, m);
    if (!params) return respond(res, { status: 400, jsonBody: { error: `malformed percent-encoding in ${url.pathname}` } });
    // The body streams to the handler as it arrives (what the Functions host does with HTTP streams
    // enabled): a handler that refuses a request early never holds its body.
    const limit = { over: false };
    const request = streamingRequest(method, url, req, params, limit);
    const context = new InvocationContext({ invocationId: randomUUID(), functionName: r.name, logHandler: () => undefined });
    let result: HttpResponseInit | HttpResponse | void;
    try {
      result = await r.reg.handler(request, context);
    } catch (e) {
      if (limit.over) return respond(res, tooLarge);
      throw e;
    }
    return respond(res, result ?? { status: 204 });
  }

  async function eventGrid(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = url.searchParams.get('functionName') ?? '';
    const reg = opts.eventGrid.get(name);
    if (!reg) return respond(res, { status: 404, jsonBody: { error: `no Event Grid function named "${name}"` } });
    if (!keyOk(req.headers['x-functions-key']?.toString() ?? url.searchParams.get('code'))) {
      return respond(res, { status: 401, jsonBody: { error: 'missing or wrong system key' } });
    }
    const body = await readBody(req);
    if (body === 'too-large') return respond(res, { status: 413 });
    let events: unknown;
    try {
      events = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return respond(res, { status: 400, jsonBody: { error: 'body is not JSON' } });
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
      return respond(res, { status: 400, jsonBody: { error: 'no Event Grid event in the batch', results } });
    // The host delivers one event per invocation.
    for (const [i, event] of batch.entries()) {
      if (results[i]?.outcome !== 'delivered') continue;
      const context = new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: () => undefined });
      await reg.handler(event as never, context);
    }
    return respond(res, { status: 202, jsonBody: { results } });
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

/** An HttpRequest whose body is the incoming stream, cut off at the host limit. */
function streamingRequest(method: string, url: URL, req: IncomingMessage, params: Record<string, string>, limit: { over: boolean }) {
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const native = new Request(url.toString(), {
    method,
    headers: flattenHeaders(req),
    ...(hasBody ? { body: bodyStream(req, limit), duplex: 'half' } : {}),
  });
  // The library's own streaming path (createStreamRequest) wraps a native Request the same way.
  return new HttpRequest({ nativeRequest: native, params } as HttpRequestInit);
}

/**
 * The incoming body as a web stream, read only as fast as the handler reads it. A handler that
 * stops reading (cancels) leaves the rest to be drained and dropped — never buffered — and the
 * connection intact for its answer.
 */
function bodyStream(req: IncomingMessage, limit: { over: boolean }): ReadableStream<Uint8Array> {
  let size = 0;
  let settled = false;
  const drop = () => {
    settled = true;
    req.removeAllListeners('data');
    req.resume();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > HOST_MAX_BODY) {
          limit.over = true;
          drop();
          controller.error(new Error('request body exceeds the host limit'));
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => {
        if (!settled) controller.close();
        settled = true;
      });
      req.once('error', (e) => {
        if (!settled) controller.error(e);
        settled = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      drop();
    },
  });
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
