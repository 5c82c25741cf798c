/**
 * Telemetry around ports, built by compose.ts, so the pipeline and intake stay as they are: the
 * release store's save observes phase transitions (metrics and the release's trace), its get observes
 * how late a tick ran, and the intake's GitHub door is timed. Telemetry never fails the call it wraps.
 */
import { isTerminal } from '../domain/release.js';
import type { Clock, Logger, ReleaseStore } from '../ports.js';
import type { Intake } from '../intake/service.js';
import type { Observability } from './port.js';
import { observeSave, tickLag, type Observations } from './release-events.js';

function report(obs: Observability, o: Observations, logger: Logger): void {
  try {
    for (const c of o.counts) obs.count(c.name, c.value, c.attributes);
    for (const r of o.records) obs.record(r.name, r.value, r.attributes);
    for (const s of o.spans) obs.span(s);
  } catch (e) {
    logger.warn('telemetry not recorded', { error: e instanceof Error ? e.message : String(e) });
  }
}

/** The pipeline's store: saves and the tick's first read are observed. */
export function observedStore(store: ReleaseStore, obs: Observability, clock: Clock, logger: Logger): ReleaseStore {
  return {
    ...store,
    async get(id) {
      const r = await store.get(id);
      const lag = r ? tickLag(r, clock.now()) : undefined;
      if (lag !== undefined)
        report(
          obs,
          {
            counts: [],
            spans: [],
            records: [{ name: 'tailspin.queue.lag', value: lag, attributes: { app: r!.app, environment: r!.environment } }],
          },
          logger,
        );
      return r;
    },
    async save(release, change, now) {
      const saved = await store.save(release, change, now);
      if (saved.ok) {
        report(obs, observeSave(release, saved.value, now), logger);
        // An outcome must not wait in a buffer for the next export (instances scale to zero).
        if (isTerminal(saved.value.phase) && saved.value.phase !== release.phase) void obs.flush().catch(() => undefined);
      }
      return saved;
    },
  };
}

/** The intake, with GitHub deliveries timed from the door in to the answer out. */
export function observedIntake(intake: Intake, obs: Observability, logger: Logger): Intake {
  return {
    ...intake,
    async github(deliveryId, event, payload, log) {
      const started = performance.now();
      let outcome = 'error';
      // Bounded label values: the event header is the sender's word.
      const kind = event === 'push' || event === 'ping' ? event : 'other';
      try {
        const out = await intake.github(deliveryId, event, payload, log);
        outcome = out.kind;
        return out;
      } finally {
        report(
          obs,
          {
            counts: [],
            spans: [],
            records: [{ name: 'tailspin.webhook.ack.duration', value: performance.now() - started, attributes: { outcome, event: kind } }],
          },
          logger,
        );
      }
    },
  };
}
