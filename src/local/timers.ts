import { randomUUID } from 'node:crypto';
import type { Timer } from '@azure/functions';
import { InvocationContext } from '../functions/azure-functions.js';
import type { TimerRegistration } from '../functions/registrar.js';
import type { Logger } from '../services/ports.js';

/**
 * The local host runs timers on a fixed period read from the NCRONTAB schedule. Only the
 * "every N seconds/minutes" forms are supported here; anything else is refused at start-up.
 */
export function schedulePeriodMs(schedule: string): number {
  const f = schedule.trim().split(/\s+/);
  if (f.length !== 6) throw new Error(`timer schedule "${schedule}" must have 6 NCRONTAB fields`);
  const [sec, min, ...rest] = f;
  const every = (s: string | undefined) => /^\*\/(\d+)$/.exec(s ?? '')?.[1];
  if (rest.every((x) => x === '*')) {
    const s = every(sec);
    if (s && min === '*') return Number(s) * 1000;
    const m = every(min);
    if (m && sec === '0') return Number(m) * 60_000;
  }
  throw new Error(`timer schedule "${schedule}": the local host supports "*/N * * * * *" and "0 */N * * * *"`);
}

export function startTimer(name: string, reg: TimerRegistration, logger: Logger): { stop(): void } {
  const period = schedulePeriodMs(reg.schedule);
  let running = false;
  const tick = async () => {
    if (running) return; // the host never overlaps invocations of one timer either
    running = true;
    const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    try {
      await reg.handler(timer, new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: () => undefined }));
    } catch (e) {
      logger.error('timer invocation failed', { function: name, error: e });
    } finally {
      running = false;
    }
  };
  const handle = setInterval(() => void tick(), period);
  return { stop: () => clearInterval(handle) };
}
