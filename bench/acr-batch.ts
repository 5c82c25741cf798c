/**
 * How long the ACR door takes to answer one Event Grid batch of 1,000 ImagePushed events (Event
 * Grid waits 30 s, then redelivers the whole batch): the local host in-process with its own
 * azurite, events for both apps, each run a fresh set of event ids and digests.
 */
import { postEvents, startTestHost } from '../test/helpers/host.js';
import { max, median, round } from './stats.js';

export interface BatchAck {
  events: number;
  runs: number;
  samplesS: number[];
  medianS: number;
  maxS: number;
  budgetS: number;
  outcomes: Record<string, number>;
}

export async function acrBatch(runs: number, events = 1000): Promise<BatchAck> {
  const host = await startTestHost();
  const samples: number[] = [];
  const outcomes: Record<string, number> = {};
  try {
    for (let run = 0; run < runs; run++) {
      const batch = Array.from({ length: events }, (_, i) => ({
        id: `bench-${run}-${i}`,
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        dataVersion: '1.0',
        data: {
          target: {
            digest: `sha256:${(run * events + i + 1).toString(16).padStart(64, '0')}`,
            repository: i % 2 ? 'tailspin-server' : 'tailspin-client',
          },
          request: { host: 'tailspinacr.azurecr.io' },
        },
      }));
      const t0 = performance.now();
      const res = await postEvents(host, batch);
      const body = (await res.json()) as { results?: { outcome: string }[] };
      samples.push((performance.now() - t0) / 1000);
      for (const r of body.results ?? [{ outcome: `HTTP ${res.status}` }]) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    }
  } finally {
    await host.stop();
  }
  return {
    events,
    runs,
    samplesS: samples.map((s) => round(s, 2)),
    medianS: round(median(samples), 2),
    maxS: round(max(samples), 2),
    budgetS: 30,
    outcomes,
  };
}
