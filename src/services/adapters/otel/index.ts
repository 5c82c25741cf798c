/**
 * The Observability port, ready at once and cheap at start-up: calls are buffered until the
 * OpenTelemetry SDK (./sdk.ts, a separate chunk in the bundle) has loaded on first use, then replayed
 * in order. A failed load is logged once and telemetry is dropped — it never fails a release.
 */
import type { Logger } from '../../ports.js';
import type { Observability } from '../../telemetry/port.js';
import type { OtelOptions } from './sdk.js';

type Call = (o: Observability) => void;

export function createObservability(options: OtelOptions, logger: Logger): Observability {
  let ready: Promise<Observability | undefined> | undefined;
  let sdk: Observability | undefined;
  const pending: Call[] = [];
  const load = () =>
    (ready ??= import('./sdk.js')
      .then(({ createOtel }) => createOtel(options))
      .then((o) => {
        sdk = o;
        for (const call of pending.splice(0)) call(o);
        return o;
      })
      .catch((e: unknown) => {
        logger.error('telemetry disabled: the OpenTelemetry SDK did not load', { error: e instanceof Error ? e.message : String(e) });
        pending.length = 0;
        return undefined;
      }));
  const run = (call: Call) => {
    if (sdk) call(sdk);
    else {
      pending.push(call);
      void load();
    }
  };
  return {
    count: (name, value, attributes) => run((o) => o.count(name, value, attributes)),
    record: (name, value, attributes) => run((o) => o.record(name, value, attributes)),
    span: (s) => run((o) => o.span(s)),
    async snapshot() {
      const o = await load();
      return o ? o.snapshot() : { exporters: [], metrics: [], spans: [] };
    },
    async flush() {
      if (ready) await (await ready)?.flush();
    },
  };
}
