/**
 * The dashboard in a real browser (Debian's Chromium), against the local host with its whole
 * sandbox: events go in through the real doors, and the tests assert what a person sees — a release
 * appearing and moving through its phases without a reload, a rolled-back release with its chart
 * and the breach marked, a blocked release with its findings, an action taken from the page
 * answered by a new release — with zero serious or critical axe-core violations on every view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import { HEALTHY } from '../../src/sandbox/monitor/slot.js';
import { decideVerification } from '../../src/services/verification/decide.js';
import { DEFAULT_VERIFICATION_SETTINGS } from '../../src/services/verification/settings.js';
import { api, eventually, FUNCTION_KEY, postEvents, startTestHost } from '../helpers/host.js';
import { launch, newPage, noBrowser, seriousViolations, shot, shotOf } from '../helpers/browser.js';
import { badFromDeploy } from '../helpers/releases.js';

if (noBrowser) console.warn(`dashboard browser tests skipped: ${noBrowser}`);

const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
let host: LocalHost;
let browser: Browser;
let page: Page;
let problems: string[];
let monitor: MonitorFake;
let acr: AcrFake;
let seq = 0;

async function push(n: number): Promise<string> {
  const event = {
    id: `dash-${n}-${++seq}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data: { target: { digest: digest(n), repository: 'tailspin-server', tag: `v${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
  };
  const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
  const id = body.results[0]?.releaseId;
  if (!id) throw new Error(`no release: ${JSON.stringify(body)}`);
  return id;
}

const phaseOf = async (id: string) => ((await (await api(host, `/deployments/${id}`)).json()) as { phase: string }).phase;
const settled = (id: string) =>
  eventually(
    async () => {
      const p = await phaseOf(id);
      return ['succeeded', 'rolled_back', 'blocked', 'failed', 'unverified'].includes(p) ? p : undefined;
    },
    `release ${id} to end`,
    60_000,
    250,
  );

/** Text of the element, waiting until it matches. */
async function waitText(selector: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  try {
    return await eventually(
      async () => {
        const text =
          (await page
            .locator(selector)
            .first()
            .textContent({ timeout: 1000 })
            .catch(() => null)) ?? '';
        return pattern.test(text) ? text : undefined;
      },
      `${selector} to match ${String(pattern)}`,
      timeoutMs,
      100,
    );
  } catch (e) {
    throw new Error(`${selector} never matched ${String(pattern)}; the page says:\n${await page.innerText('body')}`, { cause: e });
  }
}

async function noSeriousViolations(view: string) {
  const v = await seriousViolations(page);
  expect(v, `${view}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

const cell = (app: string, env = 'dev') => `article[data-app="${app}"][data-environment="${env}"]`;

describe.skipIf(noBrowser)('the dashboard in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    host = await startTestHost(
      {
        ROLLOUT_POLL_SECONDS: '1',
        VERIFY_WINDOW_SECONDS: '6',
        VERIFY_INTERVAL_SECONDS: '1',
        VERIFY_MIN_REQUESTS: '10',
        SCAN_POLL_SECONDS: '1',
        SMOKE_RETRIES: '1',
        SANDBOX_KUBE_TIME_SCALE: '0.1',
      },
      sandboxSlots,
    );
    monitor = host.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
    acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
    browser = await launch();
    ({ page, problems } = await newPage(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('asks for a function key when it has none, and is accessible', async () => {
    await page.goto(`${host.url}/api/dashboard`);
    await page.getByLabel('Function key').first().waitFor();
    await noSeriousViolations('key form');
    await page.getByLabel('Function key').first().fill('wrong-key-123');
    await page.getByRole('button', { name: 'Use this key' }).click();
    // The API refuses the wrong key: the page comes back to the form instead of showing nothing.
    await page.getByRole('button', { name: 'Use this key' }).waitFor();
  });

  it('takes the key from the URL fragment, shows every app × environment, and a release moving through its phases live', async () => {
    await page.goto(`${host.url}/api/dashboard#key=${FUNCTION_KEY}`);
    await waitText('main', /tailspin-server/);
    expect(page.url()).not.toContain(FUNCTION_KEY);
    await page.evaluate('window.marker = 42');
    expect(await page.locator('article.cell').count()).toBe(2);

    const id = await push(1);
    // The board shows it in progress — verification running — then running and verified, without a reload.
    await waitText(`${cell('tailspin-server')} .progress`, /verifying.*verification in progress/);
    await waitText(`${cell('tailspin-server')} dd:first-of-type`, /verified/);
    await waitText(`${cell('tailspin-server')} .latest`, new RegExp(`succeeded.*${id}`));
    expect(await page.evaluate('window.marker')).toBe(42);
    await shot(page, 'board');
    await noSeriousViolations('board');

    await page.click(`${cell('tailspin-server')} .latest a`);
    await waitText('h1', new RegExp(`Release ${id}.*succeeded`));
    expect(await page.locator('table.timeline tbody tr').count()).toBe(5);
    await noSeriousViolations('succeeded release');
  });

  it('a rolled-back release shows its verdict, its chart with the breach marked, and the rollback', async () => {
    const id = await push(2);
    try {
      // The new version's traffic turns bad when the cluster takes its image; the one before stays healthy (the baseline).
      await badFromDeploy(host, monitor, 'tailspin-server', id, { rps: 20, errorRate: 0.2, p95Ms: 150 });
      expect(await settled(id)).toBe('rolled_back');
    } finally {
      monitor.setProfile('tailspin-server', HEALTHY);
    }
    await page.goto(`${host.url}/api/dashboard#/releases/${id}`);
    await waitText('h1', /rolled back/);
    await page.locator('section[aria-labelledby="verification"]').waitFor();
    expect(await page.textContent('.verdict')).toMatch(/error rate/);
    expect(await page.textContent('p.breach')).toMatch(/Breach at sample/);
    // Verified by the sequential test (#12): its evidence, sample by sample, with the statistic against its bounds.
    expect(await page.locator('.charts').getAttribute('data-source')).toBe('sequential');
    expect(await page.locator('figure.chart[data-panel="statistic"]').getAttribute('data-breach')).not.toBe('');
    const errors = page.locator('figure.chart[data-panel="errors"]');
    expect(await errors.getAttribute('data-breach')).not.toBe('');
    expect(await errors.locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.textContent('section[aria-labelledby="summary"]')).toMatch(/Rollback\s*to r-/);
    await shot(page, 'release-rolled-back');
    // The one in the README (docs/dashboard-rolled-back.png is a copy of it).
    await page.setViewportSize({ width: 1100, height: 900 });
    await shotOf(page, 'section[aria-labelledby="verification"]', 'release-rolled-back-verification');
    await page.setViewportSize({ width: 1280, height: 900 });
    await noSeriousViolations('rolled-back release');
  });

  it('a blocked release shows the scan verdict and its findings', async () => {
    acr.setReport({ digest: digest(3) }, 'vulnerable');
    const id = await push(3);
    expect(await settled(id)).toBe('blocked');
    await page.goto(`${host.url}/api/dashboard#/releases/${id}`);
    await waitText('h1', /blocked/);
    await waitText('section[aria-labelledby="scan"]', /blocked/);
    const rows = page.locator('table.findings tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const first = (await rows.first().locator('td').allTextContents()).map((t) => t.trim());
    expect(first[0]).toMatch(/HIGH|CRITICAL/);
    expect(first[2]).not.toBe('—');
    await shot(page, 'release-blocked');
    await noSeriousViolations('blocked release');
  });

  it('redeploy from the board, by keyboard: confirm with a reason, and the new release opens', async () => {
    await page.goto(`${host.url}/api/dashboard#/`);
    const button = page.locator(`${cell('tailspin-server')} button`, { hasText: 'Redeploy' });
    await button.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await noSeriousViolations('action dialog');
    await page.getByLabel('Reason').fill('dashboard e2e: redeploy');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitText('body', /Release r-[0-9a-z]+-[0-9a-f]{6}/);
    const id = /r-[0-9a-z]+-[0-9a-f]{6}/.exec(page.url())?.[0] ?? '';
    const view = (await (await api(host, `/deployments/${id}`)).json()) as { source: { door: string; reason: string } };
    expect(view.source).toMatchObject({ door: 'manual', reason: expect.stringContaining('dashboard e2e: redeploy') });
    await waitText('h1', new RegExp(id));
  });

  it('releases a quarantined digest and rolls back to a chosen verified release from the page', async () => {
    const quarantined = digest(2);
    await page.goto(`${host.url}/api/dashboard#/`);
    await page.locator(`${cell('tailspin-server')} summary`, { hasText: 'quarantined' }).click();
    await page.locator(`${cell('tailspin-server')} button`, { hasText: 'Release from quarantine' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await page.textContent('dialog')).toContain(quarantined);
    await page.getByLabel('Reason').fill('the error spike was the database, not v2');
    await page.getByRole('button', { name: 'Confirm' }).click();
    const released = /r-[0-9a-z]+-[0-9a-f]{6}/.exec(await waitText('h1', /Release r-/))?.[0] ?? '';
    const view = (await (await api(host, `/deployments/${released}`)).json()) as { kind: string; image: string; source: { door: string } };
    expect(view).toMatchObject({ kind: 'image', image: expect.stringContaining(quarantined), source: { door: 'manual' } });
    await settled(released);

    // Back to v1, chosen on its own page.
    const v1 = (
      (await (await api(host, '/deployments?phase=succeeded&app=tailspin-server')).json()) as { releases: { id: string; image?: string }[] }
    ).releases.find((r) => r.image?.endsWith(digest(1)));
    await page.goto(`${host.url}/api/dashboard#/releases/${v1?.id ?? ''}`);
    await page.getByRole('button', { name: 'Roll back to this release…' }).click();
    await page.getByLabel('Reason').fill('back to v1 for the weekend');
    await page.getByRole('button', { name: 'Confirm' }).click();
    const rollbackId = await eventually(() => {
      const at = /r-[0-9a-z]+-[0-9a-f]{6}/.exec(page.url())?.[0];
      return Promise.resolve(at && at !== v1?.id ? at : undefined);
    }, 'the new release to open');
    await waitText('h1', new RegExp(rollbackId));
    const rb = (await (await api(host, `/deployments/${rollbackId}`)).json()) as { kind: string; image: string };
    expect(rb).toMatchObject({ kind: 'rollback', image: expect.stringContaining(digest(1)) });
    expect(await settled(rollbackId)).toBe('succeeded');
  });

  it('draws the sequential test’s evidence — three panels, bounds, the breach — from a release record that carries it', async () => {
    // The record a release carries (`verification`, issue #12), made by the production decision code.
    const decision = decideVerification(
      {
        looks: [
          { atS: 30, requests: 150, failures: 1, slow: 2, p95Ms: 400 },
          { atS: 60, requests: 300, failures: 9, slow: 4, p95Ms: 420 },
          { atS: 90, requests: 450, failures: 25, slow: 6, p95Ms: 410 },
        ],
        windowS: 300,
        baseline: { requests: 400, failures: 2, slow: 5 },
      },
      DEFAULT_VERIFICATION_SETTINGS,
    );
    const id = 'r-seqchart-abcdef';
    await page.route(`**/api/deployments/${id}`, async (route) => {
      // Any release of this host as the frame (its own outcome is replaced); a minimal one when there is none.
      const real = (await (await api(host, '/deployments?limit=1')).json()) as { releases: Record<string, unknown>[] };
      const base = real.releases[0] ?? {
        app: 'tailspin-server',
        environment: 'dev',
        kind: 'image',
        phase: 'rolled_back',
        source: { door: 'acr', eventId: 'x' },
        correlationId: 'x',
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        links: {},
        outcome: {},
      };
      await route.fulfill({
        json: { ...base, id, phase: 'rolled_back', timeline: [], verification: decision },
        headers: { etag: '"seq"' },
      });
    });
    try {
      await page.goto(`${host.url}/api/dashboard#key=${FUNCTION_KEY}`);
      await page.goto(`${host.url}/api/dashboard#/releases/${id}`);
      await waitText('.verdict', /is above 1 %: rolled back after \d+ samples?/);
      expect(await page.textContent('.verdict')).toBe(decision.verdict);
      expect(await page.locator('.charts').getAttribute('data-source')).toBe('sequential');
      expect(await page.locator('figure.chart').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-panel')))).toEqual([
        'errors',
        'latency',
        'statistic',
      ]);
      expect(await page.locator('figure.chart[data-panel="errors"]').getAttribute('data-breach')).toBe(
        String(decision.evidence.at(-1)?.atS),
      );
      expect(await page.locator('figure.chart[data-panel="latency"]').getAttribute('data-breach')).toBe('');
      expect(await page.textContent('figure.chart[data-panel="statistic"] .legend')).toMatch(/breach bound.*healthy bound/);
      await shot(page, 'release-sequential-evidence');
      await shotOf(page, 'section[aria-labelledby="verification"]', 'release-sequential-verification');
      await noSeriousViolations('sequential evidence');
    } finally {
      await page.unroute(`**/api/deployments/${id}`);
    }
  });

  it('history filters by outcome, and every view reads at 200 % zoom and in dark mode', async () => {
    await page.goto(`${host.url}/api/dashboard#/releases`);
    await page.locator('table.releases tbody tr').first().waitFor();
    await page.getByLabel('Outcome').selectOption('rolled_back');
    await eventually(async () => {
      const rows = await page.locator('table.releases tbody tr').allTextContents();
      return rows.length > 0 && rows.every((r) => r.includes('rolled back')) ? rows : undefined;
    }, 'only rolled-back releases listed');
    await shot(page, 'history');
    await noSeriousViolations('history');

    // 200 % zoom: a 1280-pixel window shows 640 CSS pixels; nothing may need sideways scrolling.
    const zoomed = await newPage(browser, { viewport: { width: 640, height: 900 }, deviceScaleFactor: 2, colorScheme: 'dark' });
    await zoomed.page.goto(`${host.url}/api/dashboard#key=${FUNCTION_KEY}`);
    await zoomed.page.locator(cell('tailspin-server')).waitFor();
    const overflow = Number(await zoomed.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(zoomed.page, 'board-200pct-dark');
    page = zoomed.page;
    await noSeriousViolations('board, dark, 200 %');
    // The other views, dark and zoomed too: readable without sideways scrolling of the page, and accessible.
    await page.goto(`${host.url}/api/dashboard#/releases?phase=rolled_back`);
    await page.locator('table.releases tbody tr a').first().click();
    await waitText('h1', /rolled back/);
    await page.locator('figure.chart canvas').first().waitFor();
    expect(Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'))).toBeLessThanOrEqual(0);
    await shot(page, 'release-rolled-back-200pct-dark');
    await noSeriousViolations('rolled-back release, dark, 200 %');
    expect(zoomed.problems).toEqual([]);
    await zoomed.context.close();
  });

  it('logged no console error and no uncaught exception', () => {
    // The wrong key of the first test is answered 401 by the API: the one network error expected.
    expect(problems.filter((p) => !/401/.test(p))).toEqual([]);
  });
});
