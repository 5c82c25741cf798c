import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Logger } from '../services/ports.js';
import type { AssetSource } from '../dashboard/server/assets.js';
import { PAGE_CSP, renderPage } from '../dashboard/server/page.js';
import { notModified } from './conditional.js';
import { principalOf, problem } from './http.js';

export interface DashboardDeps {
  assets: AssetSource;
  logger: Logger;
}

const SECURITY = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** The Entra principal, if App Service Authentication sent a well-formed one (a malformed header shows as nobody). */
function signedIn(req: HttpRequest): string | undefined {
  try {
    return principalOf(req);
  } catch {
    return undefined;
  }
}

async function load(d: DashboardDeps) {
  try {
    return await d.assets();
  } catch (e) {
    d.logger.error('dashboard assets unavailable', { error: e instanceof Error ? e.message : String(e) });
    return undefined;
  }
}

export function dashboardPageHandler(d: DashboardDeps) {
  return async function dashboard(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const assets = await load(d);
    const js = assets?.get('app.js');
    const css = assets?.get('app.css');
    if (!js || !css) return problem(503, 'the dashboard is not built: run npm run build');
    return {
      status: 200,
      body: renderPage({ js, css }, signedIn(req)),
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': PAGE_CSP,
        ...SECURITY,
      },
    };
  };
}

export function dashboardAssetHandler(d: DashboardDeps) {
  return async function dashboardAsset(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const a = (await load(d))?.get(req.params.file ?? '');
    if (!a) return problem(404, `no dashboard file ${(req.params.file ?? '').slice(0, 40)}`);
    const etag = `"${a.hash}"`;
    // The page names each file with its hash: that URL never changes content, so it may be kept for a year.
    const cache = req.query.get('v') === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache';
    const headers = { etag, 'cache-control': cache, ...SECURITY };
    if (notModified(req.headers.get('if-none-match'), etag)) return { status: 304, headers };
    return { status: 200, body: a.bytes, headers: { ...headers, 'content-type': a.type } };
  };
}

export function registerDashboard(r: Registrar, d: DashboardDeps): void {
  // Anonymous: the page and its code carry no data; every read and action goes to the API with a key.
  r.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'anonymous', handler: dashboardPageHandler(d) });
  r.http('dashboardAsset', { route: 'dashboard/{file}', methods: ['GET'], authLevel: 'anonymous', handler: dashboardAssetHandler(d) });
}
