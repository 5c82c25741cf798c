/**
 * The alerts adapter against the Alerts Management fake over HTTPS: what fires on the named resources
 * (closed and resolved ones, other resources left out), paging by nextLink, and every failure as a
 * value. Every answer of the fake is validated against the published AlertsList definition.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { createAlerts } from '../../../src/services/adapters/alerts/index.js';
import { staticTokenCredential } from '../../../src/services/adapters/monitor/index.js';
import { startAlertsFake, type AlertsFake } from '../../../src/sandbox/monitor/alerts-fake.js';
import { createHttpsSend } from '../../../src/services/adapters/acr/https.js';

const SUB = '00000000-0000-0000-0000-0000000000aa';
const AKS = `/subscriptions/${SUB}/resourceGroups/rg-staging/providers/Microsoft.ContainerService/managedClusters/aks-staging`;
const APPI = `/subscriptions/${SUB}/resourceGroups/rg-staging/providers/Microsoft.Insights/components/appi-staging`;
const OTHER = `/subscriptions/${SUB}/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod`;

const spec = JSON.parse(readFileSync(new URL('../../../src/sandbox/monitor/spec/alerts-list.json', import.meta.url), 'utf8')) as {
  definitions: Record<string, unknown>;
};
// Formats (date-time, uri) are not checked: ajv-formats is no dependency here; the adapter's zod schema parses what it uses.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validList = ajv.compile({ $ref: '#/definitions/AlertsList', definitions: spec.definitions });

let fake: AlertsFake;
beforeAll(async () => (fake = await startAlertsFake({ token: 'alerts-token' })));
afterAll(async () => fake?.stop());
afterEach(() => fake.setOutage('none'));

const adapter = (token = 'alerts-token') =>
  createAlerts({ credential: staticTokenCredential(token), endpoint: fake.url, tlsCa: fake.ca, timeoutMs: 5000 });
const get = async (path: string) => {
  const send = createHttpsSend({ ca: fake.ca, timeoutMs: 5000, maxBytes: 1 << 22 });
  return send({ method: 'GET', url: `${fake.url}${path}`, headers: { authorization: 'Bearer alerts-token' } });
};

describe("alerts firing on an environment's resources", () => {
  it("lists Fired alerts on the named resources only, leaving out resolved, closed and other resources' alerts", async () => {
    fake.fire({ name: 'error rate over 1 %', target: APPI, severity: 'Sev1' });
    fake.fire({ name: 'node not ready', target: AKS, severity: 'Sev2' });
    fake.fire({ name: 'prod p95', target: OTHER });
    fake.fire({ name: 'flapped', target: AKS });
    fake.resolve('flapped');
    const out = await adapter().firing([AKS, APPI]);
    expect(out.ok).toBe(true);
    if (out.ok)
      expect(out.value.map((a) => [a.name, a.severity, a.target]).sort()).toEqual([
        ['error rate over 1 %', 'Sev1', APPI],
        ['node not ready', 'Sev2', AKS],
      ]);
    // What went over the wire: the subscription's list, one resource each, Fired only, within the API's widest window.
    const asked = fake.requests.slice(-2).map((r) => r.query);
    expect(asked).toEqual(
      expect.arrayContaining([
        { 'api-version': '2019-03-01', targetResource: AKS, monitorCondition: 'Fired', timeRange: '30d', pageCount: '250' },
        { 'api-version': '2019-03-01', targetResource: APPI, monitorCondition: 'Fired', timeRange: '30d', pageCount: '250' },
      ]),
    );
    fake.resolve('error rate over 1 %');
    fake.resolve('node not ready');
    expect(await adapter().firing([AKS, APPI])).toEqual({ ok: true, value: [] });
  });

  it('follows nextLink across pages', async () => {
    const target = `${AKS}-paged`;
    for (let i = 0; i < 260; i++) fake.fire({ name: `a${i}`, target, severity: 'Sev3' });
    const out = await adapter().firing([target]);
    expect(out.ok && out.value.length).toBe(260);
    for (let i = 0; i < 260; i++) fake.resolve(`a${i}`);
  });

  it('the fake answers as the published AlertsList, and refuses what the operation refuses', async () => {
    fake.fire({ name: 'shape check', target: AKS, severity: 'Sev0' });
    const page = await get(
      `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-03-01&monitorCondition=Fired`,
    );
    expect(page.status).toBe(200);
    const body = JSON.parse(page.body) as unknown;
    expect(validList(body) ? [] : validList.errors).toEqual([]);
    fake.resolve('shape check');
    for (const bad of ['timeRange=2d', 'monitorCondition=Firing', 'pageCount=many', 'timeRange=1d&customTimeRange=2026-01-01/2026-01-02'])
      expect((await get(`/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-03-01&${bad}`)).status).toBe(
        400,
      );
    expect((await get(`/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts?api-version=2023-07-12-preview`)).status).toBe(
      400,
    );
  });

  it('failures are values: server error transient, throttling rate-limited with Retry-After, a bad token auth, a bad id invalid', async () => {
    fake.setOutage('http500');
    expect(await adapter().firing([AKS])).toMatchObject({ ok: false, error: { system: 'alerts', kind: 'transient', status: 500 } });
    fake.setOutage('throttle');
    expect(await adapter().firing([AKS])).toMatchObject({ ok: false, error: { kind: 'rate-limited', retryAfterMs: 17_000 } });
    fake.setOutage('none');
    expect(await adapter('wrong').firing([AKS])).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
    expect(await adapter().firing(['aks-staging'])).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    // Unreachable ARM is transient, never "no alerts".
    const gone = createAlerts({ credential: staticTokenCredential('t'), endpoint: 'https://127.0.0.1:1', timeoutMs: 2000 });
    expect(await gone.firing([AKS])).toMatchObject({ ok: false, error: { kind: 'transient' } });
  });
});
