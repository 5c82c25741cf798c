/**
 * The dashboard's Promotions view in Chromium against the local host: per environment what runs and
 * what waits to move in (soak left, approvals had of needed, the freeze), and the trail (who asked,
 * who approved — in GitHub or through the API —, the upstream evidence, the release it became). The
 * state is made through the deployer's own stores and promotion use cases, the page reads it through
 * the public API; zero serious or critical axe-core violations, zero console errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import { decide, requestPromotion } from '../../src/services/promotion/service.js';
import { silentLogger } from '../../src/services/logger.js';
import { eventually, FUNCTION_KEY, startTestHost } from '../helpers/host.js';
import { launch, newPage, noBrowser, seriousViolations, shot } from '../helpers/browser.js';
import { succeeded } from '../helpers/promotion-world.js';

const GRAPH = {
  environments: [
    { name: 'dev' },
    { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 3600 }, freeze: ['0 0 1 1 *'] },
    {
      name: 'prod',
      from: 'staging',
      policy: { kind: 'approval', approvals: 2, approvers: ['entra:bob@contoso.com', 'entra:carol@contoso.com', 'github:octocat'] },
    },
  ],
};

let host: LocalHost;
let browser: Browser;
let page: Page;
let problems: string[];

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

const who = (principal: string) => ({ principal, aliases: [], groups: [] });

describe.skipIf(noBrowser)('promotions in the dashboard', { timeout: 120_000 }, () => {
  let stagingServer: string;
  let stagingClient: string;
  let clientRelease: string;

  beforeAll(async () => {
    host = await startTestHost({ TAILSPIN_PROMOTION: JSON.stringify(GRAPH), PROMOTION_SCHEDULE: '*/1 * * * * *' }, sandboxSlots);
    const store = host.services.store;
    const now = new Date();
    await succeeded(store, 'tailspin-server', 'dev', 0xd1d1d1d1d1d1, now);
    await succeeded(store, 'tailspin-client', 'dev', 0xd2d2d2d2d2d2, now);
    stagingServer = await succeeded(store, 'tailspin-server', 'staging', 0x515151515151, now);
    stagingClient = await succeeded(store, 'tailspin-client', 'staging', 0x525252525252, now);
    const d = host.services.promotion;
    const server = await requestPromotion(
      d,
      { app: 'tailspin-server', to: 'prod', comment: 'weekly' },
      'entra:alice@contoso.com',
      silentLogger,
    );
    if (server.kind !== 'created') throw new Error(server.kind);
    expect((await decide(d, server.promotion.id, 'approve', who('entra:bob@contoso.com'), 'fine by me', silentLogger)).kind).toBe('ok');
    const client = await requestPromotion(
      d,
      { app: 'tailspin-client', to: 'prod', comment: 'new UI' },
      'entra:alice@contoso.com',
      silentLogger,
    );
    if (client.kind !== 'created') throw new Error(client.kind);
    await decide(d, client.promotion.id, 'approve', who('entra:bob@contoso.com'), 'ok', silentLogger);
    const done = await decide(d, client.promotion.id, 'approve', who('github:octocat'), 'staging looks good', silentLogger, 'github');
    if (done.kind !== 'ok' || !done.promotion.releaseId) throw new Error(`not promoted: ${JSON.stringify(done)}`);
    clientRelease = done.promotion.releaseId;
    browser = await launch();
    ({ page, problems } = await newPage(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('shows per environment what runs and what waits: soak left, approvals had of needed, the freeze', async () => {
    await page.goto(`${host.url}/api/dashboard#key=${FUNCTION_KEY}`);
    await page.getByRole('link', { name: 'Promotions' }).click();
    await waitText('h1', /^Promotions$/);
    // staging takes dev's releases by itself (the timer opened them); an hour of soak is left.
    await waitText('section[aria-labelledby="env-staging"]', /from dev: automatic, soak 3600 s, frozen at 0 0 1 1 \*/);
    await waitText('section[aria-labelledby="env-staging"] [data-promotion]', /tailspin-.*soak: (359\d|3600) s left in dev/);
    await waitText('section[aria-labelledby="env-dev"]', /tailspin-server.*verified/);

    const prod = 'section[aria-labelledby="env-prod"]';
    await waitText(prod, /from staging: 2 approvals from entra:bob@contoso.com, entra:carol@contoso.com, github:octocat/);
    const pending = `${prod} [data-promotion^="p-prod-${stagingServer}"]`;
    await waitText(pending, /approvals: 1 of 2/);
    await waitText(pending, /requested by entra:alice@contoso.com \(“weekly”\).*approved by entra:bob@contoso.com \(“fine by me”\)/);
    await waitText(pending, /tailspin-server 515151515151 from/);
    expect(await page.locator(`${prod} [data-promotion]`).count()).toBe(1);
    await shot(page, 'promotions');
    const v = await seriousViolations(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
  });

  it('the trail says who asked and who approved (in GitHub too), links the upstream evidence and what it became', async () => {
    const row = `tr[data-promotion="p-prod-${stagingClient}"]`;
    await waitText(row, /tailspin-client staging→prod/);
    await waitText(row, /promoted/);
    await waitText(row, /approved by entra:bob@contoso.com \(“ok”\).*approved by github:octocat in GitHub \(“staging looks good”\)/);
    expect(await page.locator(`${row} td:nth-child(4) a`).getAttribute('href')).toBe(`#/releases/${stagingClient}`);
    expect(await page.locator(`${row} td:nth-child(5) a`).getAttribute('href')).toBe(`#/releases/${clientRelease}`);
    await page.click(`${row} td:nth-child(4) a`);
    await waitText('h1', new RegExp(`Release ${stagingClient}`));
    expect(problems).toEqual([]);
  });
});
