/**
 * A wire-level fake of Azure Monitor's Alerts Management list (GET /subscriptions/{s}/providers/
 * Microsoft.AlertsManagement/alerts, api-version 2019-03-01) over HTTPS. Query parameters are checked
 * against the operation's published parameter list (spec/alerts-list.json: 400 like ARM when refused),
 * answers are shaped as its AlertsList. Knobs: fire and resolve alerts on resources, an outage mode.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import { sandboxTls } from '../tls.js';

export const ALERTS_FAKE_API_VERSION = '2019-03-01';
const LIST = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.AlertsManagement\/alerts$/i;
const TIME_RANGES_MS: Record<string, number> = { '1h': 3600_000, '1d': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export interface FakeAlert {
  id: string;
  name: string;
  severity: 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
  target: string;
  monitorCondition: 'Fired' | 'Resolved';
  alertState: 'New' | 'Acknowledged' | 'Closed';
  startDateTime: string;
  resolvedDateTime?: string;
}

export type AlertsOutage = 'none' | 'http500' | 'throttle';

export interface AlertsFake {
  url: string;
  ca: string;
  token: string;
  fire(a: { name: string; target: string; severity?: FakeAlert['severity']; at?: Date }): FakeAlert;
  resolve(name: string, at?: Date): void;
  setOutage(o: AlertsOutage): void;
  alerts(): FakeAlert[];
  /** Every list request: its query, and the status answered. */
  requests: { query: Record<string, string>; status: number }[];
  stop(): Promise<void>;
}

interface Param {
  name: string;
  type: string;
  enum?: string[];
}
let spec: { operation: { parameters: Param[] }; definitions: Record<string, unknown> } | undefined;
let queryValidator: ValidateFunction | undefined;

function loadSpec() {
  spec ??= JSON.parse(readFileSync(new URL('./spec/alerts-list.json', import.meta.url), 'utf8')) as NonNullable<typeof spec>;
  return spec;
}

/** The query as the published parameter list types it; a message per refused parameter. */
function checkQuery(query: URLSearchParams): string | undefined {
  const params = loadSpec().operation.parameters;
  if (!queryValidator) {
    const properties = Object.fromEntries(params.map((p) => [p.name, { type: p.type, ...(p.enum ? { enum: p.enum } : {}) }]));
    queryValidator = new Ajv({ strict: false, allErrors: true, coerceTypes: true }).compile({ type: 'object', properties });
  }
  const values: Record<string, unknown> = {};
  for (const [k, v] of query) if (k !== 'api-version' && k !== '$skipToken') values[k] = v;
  if (query.get('timeRange') && query.get('customTimeRange')) return 'Either timeRange or customTimeRange could be used but not both';
  if (queryValidator(values)) return undefined;
  return (queryValidator.errors ?? []).map((e) => `${e.instancePath.slice(1) || 'query'} ${e.message ?? 'is invalid'}`).join('; ');
}

export async function startAlertsFake(opts: { token?: string; now?: () => Date } = {}): Promise<AlertsFake> {
  const tls = await sandboxTls();
  const now = opts.now ?? (() => new Date());
  const token = opts.token ?? randomUUID();
  const alerts: FakeAlert[] = [];
  const requests: AlertsFake['requests'] = [];
  let outage: AlertsOutage = 'none';
  let url = '';

  function fire({ name, target, severity = 'Sev1', at = now() }: Parameters<AlertsFake['fire']>[0]): FakeAlert {
    const a: FakeAlert = {
      id: randomUUID(),
      name,
      severity,
      target,
      monitorCondition: 'Fired',
      alertState: 'New',
      startDateTime: at.toISOString(),
    };
    alerts.push(a);
    return a;
  }
  function resolve(name: string, at = now()): number {
    const firing = alerts.filter((a) => a.name === name && a.monitorCondition === 'Fired');
    for (const a of firing) Object.assign(a, { monitorCondition: 'Resolved', resolvedDateTime: at.toISOString() });
    return firing.length;
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };
  const armError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { error: { code, message } }, headers);

  function view(a: FakeAlert, sub: string) {
    const parts = a.target.split('/');
    return {
      id: `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts/${a.id}`,
      name: a.name,
      type: 'Microsoft.AlertsManagement/alerts',
      properties: {
        essentials: {
          severity: a.severity,
          signalType: 'Metric',
          alertState: a.alertState,
          monitorCondition: a.monitorCondition,
          monitorService: 'Platform',
          targetResource: a.target,
          targetResourceName: parts.at(-1) ?? '',
          targetResourceGroup: parts[4] ?? '',
          targetResourceType: parts.slice(6, 8).join('/'),
          alertRule: `/subscriptions/${sub}/resourceGroups/${parts[4] ?? ''}/providers/Microsoft.Insights/metricAlerts/${a.name}`,
          startDateTime: a.startDateTime,
          lastModifiedDateTime: a.resolvedDateTime ?? a.startDateTime,
          ...(a.resolvedDateTime ? { monitorConditionResolvedDateTime: a.resolvedDateTime } : {}),
          lastModifiedUserName: 'System',
          actionStatus: { isSuppressed: false },
        },
      },
    };
  }

  function list(req: IncomingMessage, res: ServerResponse, u: URL, sub: string) {
    const query = Object.fromEntries(u.searchParams);
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      requests.push({ query, status });
      send(res, status, body, headers);
    };
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer)
      return answer(401, {
        error: { code: 'AuthenticationFailed', message: 'Authentication failed. The Authorization header is missing.' },
      });
    if (bearer !== token) return answer(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
    const version = u.searchParams.get('api-version');
    if (!version)
      return answer(400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      });
    if (version !== ALERTS_FAKE_API_VERSION)
      return answer(400, {
        error: {
          code: 'InvalidApiVersionParameter',
          message: `The api-version '${version}' is invalid. The supported versions are '${ALERTS_FAKE_API_VERSION}'.`,
        },
      });
    const refused = checkQuery(u.searchParams);
    if (refused) return answer(400, { error: { code: 'BadRequest', message: refused } });
    if (outage === 'http500') return answer(500, { error: { code: 'InternalServerError', message: 'Encountered internal server error.' } });
    if (outage === 'throttle')
      return answer(429, { error: { code: 'TooManyRequests', message: 'Rate limit exceeded.' } }, { 'retry-after': '17' });
    const p = u.searchParams;
    const range = p.get('timeRange') ?? '1d';
    const since = now().getTime() - (TIME_RANGES_MS[range] ?? 86_400_000);
    const matching = alerts.filter(
      (a) =>
        a.target.toLowerCase().startsWith(`/subscriptions/${sub.toLowerCase()}/`) &&
        (!p.get('targetResource') || a.target.toLowerCase() === p.get('targetResource')?.toLowerCase()) &&
        (!p.get('monitorCondition') || a.monitorCondition === p.get('monitorCondition')) &&
        (!p.get('alertState') || a.alertState === p.get('alertState')) &&
        (!p.get('severity') || a.severity === p.get('severity')) &&
        new Date(a.startDateTime).getTime() >= since,
    );
    // Paged like ARM: pageCount per page (default 25), the rest behind nextLink.
    const size = Math.min(Math.max(Number(p.get('pageCount') ?? 25) || 25, 1), 250);
    const skip = Number(p.get('$skipToken') ?? 0) || 0;
    const page = matching.slice(skip, skip + size);
    const next = new URL(u.toString(), url);
    next.searchParams.set('$skipToken', String(skip + size));
    answer(200, { value: page.map((a) => view(a, sub)), ...(skip + size < matching.length ? { nextLink: next.toString() } : {}) });
  }

  /** The sandbox's knobs for people at a terminal: GET /_sandbox, POST /_sandbox/fire {name,target,severity?}, /_sandbox/resolve {name}. */
  async function control(req: IncomingMessage, res: ServerResponse, path: string) {
    if (req.method === 'GET' && path === '/_sandbox') return send(res, 200, { alerts, outage });
    let body: { name?: unknown; target?: unknown; severity?: unknown; outage?: unknown } = {};
    try {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      body = JSON.parse(text || '{}') as typeof body;
    } catch {
      return send(res, 400, { error: 'expected a JSON body' });
    }
    const severity =
      typeof body.severity === 'string' && /^Sev[0-4]$/.test(body.severity) ? (body.severity as FakeAlert['severity']) : 'Sev1';
    if (path === '/_sandbox/fire' && typeof body.name === 'string' && typeof body.target === 'string')
      return send(res, 200, fire({ name: body.name, target: body.target, severity }));
    if (path === '/_sandbox/resolve' && typeof body.name === 'string') return send(res, 200, { resolved: resolve(body.name) });
    if (path === '/_sandbox/outage' && (body.outage === 'none' || body.outage === 'http500' || body.outage === 'throttle'))
      return send(res, 200, { outage: (outage = body.outage) });
    send(res, 400, { error: 'POST /_sandbox/fire {name,target,severity?} | /_sandbox/resolve {name} | /_sandbox/outage {outage}' });
  }

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const m = LIST.exec(u.pathname);
    if (req.method === 'GET' && m?.[1]) return list(req, res, u, decodeURIComponent(m[1]));
    if (u.pathname.startsWith('/_sandbox')) return void control(req, res, u.pathname);
    armError(res, 404, 'NotFound', `No route for ${req.method ?? 'GET'} ${u.pathname} in the alerts fake`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    ca: tls.ca,
    token,
    requests,
    fire,
    resolve: (name, at) => void resolve(name, at),
    setOutage: (o) => void (outage = o),
    alerts: () => alerts.map((a) => ({ ...a })),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
