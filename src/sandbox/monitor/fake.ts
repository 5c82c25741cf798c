/**
 * A wire-level fake of the Log Analytics query API (POST /v1/workspaces/{id}/query) over HTTPS,
 * answering from simulated telemetry. Every query is checked by the real Kusto language service
 * first (400 like the service on errors), then must match a shape the fake knows (400 otherwise).
 * Knobs: traffic profiles per role, an outage mode, and columns removed from the schema.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandboxTls } from '../tls.js';
import { FAKE_RECORDS, pushBounded } from '../records.js';
import { analyzeKql, APP_REQUESTS_COLUMNS, kqlErrors } from './kusto-check.js';
import { parseTimespan, recogniseQuery } from './query-shape.js';
import { partialError, pingTables, replies, summaryTables, type Reply } from './responses.js';
import { TelemetrySimulation } from './simulation.js';
import { handleControl } from './control.js';
import type { MonitorFake, MonitorFakeOptions, Outage, RecordedQuery } from './types.js';

export type { MonitorFake, MonitorFakeOptions };

const WORKSPACE = '8b3b9f5e-2c1d-4e6f-9a7b-5c4d3e2f1a0b';
const MAX_BODY = 1024 * 1024;

export async function startMonitorFake(opts: MonitorFakeOptions = {}): Promise<MonitorFake> {
  const tls = await sandboxTls();
  const clock = opts.clock ?? { now: () => new Date() };
  const workspaceId = opts.workspaceId ?? WORKSPACE;
  const simulation = new TelemetrySimulation({ mode: opts.traffic ?? 'random', ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  let outage: Outage = 'none';
  let missing: string[] = [];
  const queries: RecordedQuery[] = [];
  const unexpected: string[] = [];

  const columns = () => Object.fromEntries(Object.entries(APP_REQUESTS_COLUMNS).filter(([n]) => !missing.includes(n)));

  async function query(req: IncomingMessage, body: string): Promise<Reply> {
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (!token) return replies.missingAuth();
    if (opts.token !== undefined && token !== opts.token) return replies.wrongToken();
    const id = decodeURIComponent(/^\/v1\/workspaces\/([^/]+)\/query$/.exec(req.url ?? '')?.[1] ?? '');
    if (id !== workspaceId) return replies.workspaceNotFound(id);
    let parsed: { query?: unknown; timespan?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch (e) {
      return replies.badJson(e instanceof Error ? e.message : 'invalid JSON');
    }
    if (typeof parsed.query !== 'string' || (parsed.timespan !== undefined && typeof parsed.timespan !== 'string'))
      return replies.badJson('query must be a string');
    const record: RecordedQuery = {
      at: clock.now().toISOString(),
      status: 0,
      query: parsed.query,
      ...(typeof parsed.timespan === 'string' ? { timespan: parsed.timespan } : {}),
      ...(req.headers.prefer ? { prefer: String(req.headers.prefer) } : {}),
    };
    pushBounded(queries, record, opts.recordLimit ?? FAKE_RECORDS);
    const reply = await answer(parsed.query, record, req);
    record.status = reply.status;
    return reply;
  }

  async function answer(text: string, record: RecordedQuery, req: IncomingMessage): Promise<Reply> {
    if (outage === 'http500') return replies.internal();
    if (outage === 'throttle') return replies.throttled(7);
    if (outage === 'timeout') return hold(req);
    const analysis = analyzeKql(text, columns());
    const firstError = kqlErrors(analysis)[0];
    if (firstError) return replies.badQuery(text, firstError);
    const shape = recogniseQuery(text, analysis);
    if (!shape) return replies.unknownShape();
    record.shape = shape;
    const tables =
      shape.kind === 'ping' ? pingTables() : summaryTables((record.result = simulation.measure(window(shape, record.timespan))));
    return { status: 200, body: outage === 'partial' ? { tables, error: partialError() } : { tables } };
  }

  /** The service evaluates the query over the intersection of its own time filter and `timespan`. */
  function window(shape: { role: string; version?: string; from: Date; to: Date; slowAboveMs?: number }, timespan: string | undefined) {
    const span = timespan ? parseTimespan(timespan, clock.now()) : undefined;
    const from = new Date(Math.max(shape.from.getTime(), span?.from.getTime() ?? -Infinity));
    const to = new Date(Math.min(shape.to.getTime(), span?.to.getTime() ?? Infinity));
    return { role: shape.role, version: shape.version, from, to, slowAboveMs: shape.slowAboveMs };
  }

  /** Outage "timeout": sit on the request for the server wait (Prefer: wait=N), then 504 like the gateway. */
  function hold(req: IncomingMessage): Promise<Reply> {
    const wait = Number(/wait=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1] ?? 180);
    const ms = Math.min(wait * 1000, opts.timeoutHoldMs ?? 180_000);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(replies.gatewayTimeout()), ms);
      req.socket.once('close', () => {
        clearTimeout(timer);
        resolve(replies.gatewayTimeout());
      });
    });
  }

  const fake: MonitorFake = {
    url: '',
    endpoint: '',
    workspaceId,
    ca: tls.ca,
    simulation,
    queries,
    unexpected,
    setProfile: (role, profile, from, opts) => simulation.setProfile(role, profile, from ?? clock.now(), opts),
    setTraffic: (mode, seed) => simulation.setTraffic(mode, seed),
    setOutage: (o) => {
      outage = o;
    },
    setMissingColumns: (cols) => {
      missing = [...cols];
    },
    state: () => ({
      workspaceId,
      outage,
      traffic: simulation.traffic(),
      missingColumns: [...missing],
      profiles: simulation.snapshot(),
      recentQueries: queries.slice(-50),
    }),
    stop: () => Promise.resolve(),
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void route(req, res);
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const path = (req.url ?? '').split('?')[0] ?? '';
      let reply: Reply;
      if (req.method === 'POST' && /^\/v1\/workspaces\/[^/]+\/query$/.test(path)) reply = await query(req, body);
      else if (path.startsWith('/_sandbox')) reply = handleControl(fake, req.method ?? 'GET', path, body, clock);
      else {
        unexpected.push(`${req.method} ${req.url}`);
        reply = replies.notFound(path);
      }
      const wait = /wait=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1];
      send(res, reply, wait ? { 'preference-applied': `wait=${wait}` } : {});
    } catch (e) {
      send(res, { status: 413, body: { error: { code: 'PayloadTooLarge', message: e instanceof Error ? e.message : String(e) } } }, {});
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  fake.url = `https://127.0.0.1:${port}`;
  fake.endpoint = `${fake.url}/v1`;
  fake.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extra,
    ...reply.headers,
  });
  res.end(text);
}
