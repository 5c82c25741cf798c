/**
 * The fake's control API, for people at a terminal and for tests:
 *   GET  /_sandbox                  profiles, outage, recent queries (read-only)
 *   POST /_sandbox/profile          {"role","rps","errorRate","p95Ms","latencySigma"?,"itemCount"?,"version"?,"from"?,"replaceLater"?}
 *   POST /_sandbox/traffic          {"mode": "random"|"even", "seed"?}   (random: seeded Poisson/lognormal; even: exact)
 *   POST /_sandbox/outage           {"outage": "none"|"http500"|"partial"|"timeout"|"throttle"}
 *   POST /_sandbox/schema           {"missingColumns": ["ItemCount"]}   (schema drift → 400 from the query API)
 */
import { z } from 'zod';
import type { Clock } from '../../services/ports.js';
import { OUTAGES, type MonitorFake, type Outage } from './types.js';
import type { Reply } from './responses.js';
import { TRAFFIC_MODES, validateProfile, type TrafficMode } from './simulation.js';

const ProfileBody = z.object({
  role: z.string().min(1).max(128),
  rps: z.number(),
  errorRate: z.number(),
  p95Ms: z.number(),
  latencySigma: z.number().optional(),
  itemCount: z.number().optional(),
  version: z.string().min(1).max(128).optional(),
  /** When the profile takes effect (ISO 8601); default now — e.g. the moment of a deploy. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Drop the role's profiles that start after `from`: its history from then on is this profile. */
  replaceLater: z.boolean().optional(),
});
const OutageBody = z.object({ outage: z.enum(OUTAGES as [Outage, ...Outage[]]) });
const SchemaBody = z.object({ missingColumns: z.array(z.string()) });
const TrafficBody = z.object({
  mode: z.enum(TRAFFIC_MODES as [TrafficMode, ...TrafficMode[]]),
  seed: z.union([z.string().min(1).max(128), z.number().int()]).optional(),
});

const bad = (message: string): Reply => ({ status: 400, body: { error: { code: 'BadRequest', message } } });

export function handleControl(fake: MonitorFake, method: string, path: string, body: string, clock: Clock): Reply {
  if (method === 'GET' && (path === '/_sandbox' || path === '/_sandbox/')) return { status: 200, body: fake.state() };
  if (method !== 'POST') return { status: 405, body: { error: { code: 'MethodNotAllowed', message: `${method} ${path}` } } };
  let json: unknown;
  try {
    json = JSON.parse(body || '{}');
  } catch {
    return bad('body must be JSON');
  }
  if (path === '/_sandbox/profile') {
    const p = ProfileBody.safeParse(json);
    if (!p.success) return bad(p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { role, from, replaceLater, ...profile } = p.data;
    const problem = validateProfile(profile, fake.simulation.traffic().mode);
    if (problem) return bad(problem);
    fake.setProfile(role, profile, from ? new Date(from) : clock.now(), { replaceLater: replaceLater ?? false });
    return { status: 200, body: fake.state().profiles };
  }
  if (path === '/_sandbox/outage') {
    const o = OutageBody.safeParse(json);
    if (!o.success) return bad(`outage must be one of ${OUTAGES.join(', ')}`);
    fake.setOutage(o.data.outage);
    return { status: 200, body: { outage: o.data.outage } };
  }
  if (path === '/_sandbox/traffic') {
    const t = TrafficBody.safeParse(json);
    if (!t.success) return bad(`mode must be one of ${TRAFFIC_MODES.join(', ')}; seed a string or an integer`);
    try {
      fake.setTraffic(t.data.mode, t.data.seed);
    } catch (e) {
      return bad(e instanceof Error ? e.message : String(e));
    }
    return { status: 200, body: fake.state().traffic };
  }
  if (path === '/_sandbox/schema') {
    const s = SchemaBody.safeParse(json);
    if (!s.success) return bad('missingColumns must be an array of column names');
    fake.setMissingColumns(s.data.missingColumns);
    return { status: 200, body: { missingColumns: s.data.missingColumns } };
  }
  return { status: 404, body: { error: { code: 'NotFound', message: path } } };
}
