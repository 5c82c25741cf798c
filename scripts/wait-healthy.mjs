#!/usr/bin/env node
// Wait until the deployer's /api/health is green: HTTP 200 and `"status": "up"` (every dependency
// reachable). Polls with an interval up to a deadline — no fixed sleep — and exits 0 when green,
// 1 at the deadline with the last answer printed. Used after `terraform apply` (infra.yml) and after
// publishing a package (deployer.yml), where a red answer rolls the package back.
//   node scripts/wait-healthy.mjs <base-url> [--deadline 300] [--interval 10] [--accept-degraded]
/* global process, console, fetch, AbortSignal */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    deadline: { type: 'string', default: '300' },
    interval: { type: 'string', default: '10' },
    'accept-degraded': { type: 'boolean', default: false },
  },
});
const base = positionals[0];
const deadlineSeconds = Number(opts.deadline);
const intervalSeconds = Number(opts.interval);
if (!base || !/^https?:\/\//.test(base) || !(deadlineSeconds > 0) || !(intervalSeconds > 0)) {
  console.error('usage: wait-healthy.mjs <base-url> [--deadline seconds] [--interval seconds] [--accept-degraded]');
  process.exit(2);
}
const deadline = Date.now() + deadlineSeconds * 1000;
const interval = intervalSeconds * 1000;
const accepted = opts['accept-degraded'] ? ['up', 'degraded'] : ['up'];
const url = `${base.replace(/\/+$/, '')}/api/health`;

let last;
for (let attempt = 1; ; attempt++) {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(Math.max(1000, Math.min(15_000, deadline - Date.now()))),
      headers: { accept: 'application/json' },
    });
    const text = await res.text();
    let status;
    try {
      status = JSON.parse(text).status;
    } catch {
      status = undefined;
    }
    last = `HTTP ${res.status} status=${status ?? '?'} ${text.slice(0, 2000)}`;
    if (res.status === 200 && accepted.includes(status)) {
      console.log(`healthy after ${attempt} attempt(s): ${last}`);
      process.exit(0);
    }
  } catch (e) {
    last = `${e instanceof Error ? e.message : String(e)}`;
  }
  console.log(`attempt ${attempt}: not healthy yet (${last.slice(0, 300)})`);
  if (Date.now() + interval > deadline) break;
  await sleep(interval);
}
console.error(`not healthy by the deadline: ${url}\nlast answer: ${last}`);
process.exit(1);
