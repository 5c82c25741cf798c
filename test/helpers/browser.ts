/**
 * A real browser for the dashboard tests: Debian's Chromium driven by playwright-core (nothing
 * downloads a browser). Collects console errors and uncaught exceptions, runs axe-core inside the
 * page, and writes screenshots into test-results/dashboard (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './fixtures.js';

export const CHROMIUM = process.env.TAILSPIN_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser tests cannot run here, or undefined when they can. */
export const noBrowser: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does) or set TAILSPIN_CHROMIUM`;

export const launch = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });

export const SHOTS = join(repoRoot, 'test-results', 'dashboard');

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Just one element (a section of a view), for the README. */
export async function shotOf(page: Page, selector: string, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.locator(selector).first().screenshot({ path });
  return path;
}

/** Every console error, failed request the page logged, and uncaught exception, as text. */
export function problemsOf(page: Page): string[] {
  const out: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.push(`pageerror: ${e.message}`));
  return out;
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core run in the page (its source evaluated over the DevTools protocol, so the page's CSP stays strict). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axe.source);
  // A string, evaluated in the page: this program has no DOM types.
  const result = await page.evaluate<AxeFinding[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function newPage(
  browser: Browser,
  opts: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  return { context, page, problems: problemsOf(page) };
}
