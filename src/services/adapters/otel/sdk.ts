/**
 * OpenTelemetry behind the Observability port: a MeterProvider and a TracerProvider with two
 * destinations — this instance's memory (GET /api/metrics, bounded) always, and Azure Monitor
 * (Application Insights: AppMetrics, AppDependencies) when a connection string is configured, sent with
 * the managed identity (local authentication is off). Loaded on first use by ./index.ts: the SDKs
 * would cost the cold start about a second unbundled.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Counter, type Histogram } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TokenCredential } from '@azure/identity';
import { COUNTERS, HISTOGRAMS, type CounterName, type HistogramName } from '../../telemetry/names.js';
import type { Attributes, FinishedSpan, MetricView, Observability, TelemetrySnapshot } from '../../telemetry/port.js';

export interface OtelOptions {
  serviceName: string;
  environment: string;
  version: string;
  /** Application Insights connection string; without it telemetry stays in memory. */
  connectionString?: string;
  credential?: TokenCredential;
  /** Spans kept in memory for GET /api/metrics (oldest dropped first). */
  maxSpans?: number;
  exportIntervalMs?: number;
}

/** Reads on demand: GET /api/metrics collects through it. */
class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The last `max` finished spans. */
class MemorySpans implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  constructor(private readonly max: number) {}
  export(spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    this.spans.push(...spans);
    if (this.spans.length > this.max) this.spans.splice(0, this.spans.length - this.max);
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;

export async function createOtel(o: OtelOptions): Promise<Observability> {
  const resource = resourceFromAttributes({
    'service.name': o.serviceName,
    'service.version': o.version,
    'deployment.environment.name': o.environment,
  });
  const exporters = ['memory'];
  const pull = new PullReader();
  const readers: MetricReader[] = [pull];
  const memory = new MemorySpans(o.maxSpans ?? 2000);
  const processors: SpanProcessor[] = [new SimpleSpanProcessor(memory)];
  if (o.connectionString) {
    const { AzureMonitorMetricExporter, AzureMonitorTraceExporter } = await import('@azure/monitor-opentelemetry-exporter');
    const auth = { connectionString: o.connectionString, ...(o.credential ? { credential: o.credential } : {}) };
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new AzureMonitorMetricExporter(auth),
        exportIntervalMillis: o.exportIntervalMs ?? 60_000,
      }),
    );
    processors.push(new BatchSpanProcessor(new AzureMonitorTraceExporter(auth)));
    exporters.push('azure-monitor');
  }
  const meters = new MeterProvider({ resource, readers });
  // Span ids are the release's (ids.ts); the SDK asks for them while starting each span, synchronously.
  let next: { traceId?: string; spanId: string } | undefined;
  const random = (bytes: number) => crypto.getRandomValues(new Uint8Array(bytes)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: processors,
    idGenerator: { generateTraceId: () => next?.traceId ?? random(16), generateSpanId: () => next?.spanId ?? random(8) },
  });
  const tracer = tracerProvider.getTracer('tailspin-deployer', o.version);
  const meter = meters.getMeter('tailspin-deployer', o.version);
  const counters = new Map<string, Counter>();
  const histograms = new Map<string, Histogram>();
  const counter = (n: CounterName) =>
    counters.get(n) ?? counters.set(n, meter.createCounter(n, { unit: COUNTERS[n].unit, description: COUNTERS[n].description })).get(n)!;
  const histogram = (n: HistogramName) =>
    histograms.get(n) ??
    histograms.set(n, meter.createHistogram(n, { unit: HISTOGRAMS[n].unit, description: HISTOGRAMS[n].description })).get(n)!;

  return {
    count: (name, value, attributes) => counter(name).add(value, attributes),
    record: (name, value, attributes) => histogram(name).record(value, attributes),
    span(s: FinishedSpan) {
      const parent = s.parentSpanId
        ? trace.setSpanContext(ROOT_CONTEXT, { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true })
        : ROOT_CONTEXT;
      next = { traceId: s.traceId, spanId: s.spanId };
      try {
        const span = tracer.startSpan(s.name, { kind: SpanKind.INTERNAL, startTime: s.start, attributes: s.attributes }, parent);
        span.setStatus({ code: s.error ? SpanStatusCode.ERROR : SpanStatusCode.OK });
        span.end(s.end);
      } finally {
        next = undefined;
      }
    },
    async snapshot(): Promise<TelemetrySnapshot> {
      const { resourceMetrics } = await pull.collect();
      const metrics: MetricView[] = resourceMetrics.scopeMetrics.flatMap((sm) =>
        sm.metrics.map((m) => ({
          name: m.descriptor.name,
          kind: m.dataPointType === DataPointType.HISTOGRAM ? ('histogram' as const) : ('counter' as const),
          unit: m.descriptor.unit,
          description: m.descriptor.description,
          points: m.dataPoints.map((p) => {
            const attributes = p.attributes as Attributes;
            if (typeof p.value === 'number') return { attributes, value: p.value };
            const h = p.value as { count: number; sum?: number; min?: number; max?: number };
            return { attributes, count: h.count, sum: h.sum ?? 0, min: h.min ?? 0, max: h.max ?? 0 };
          }),
        })),
      );
      const spans = memory.spans.map((s) => {
        const start = ms(s.startTime);
        const end = ms(s.endTime);
        const parent = s.parentSpanContext?.spanId;
        return {
          name: s.name,
          traceId: s.spanContext().traceId,
          spanId: s.spanContext().spanId,
          ...(parent ? { parentSpanId: parent } : {}),
          start: new Date(start).toISOString(),
          end: new Date(end).toISOString(),
          durationMs: Math.round(end - start),
          attributes: s.attributes as Attributes,
          ...(s.status.code === SpanStatusCode.ERROR ? { error: true } : {}),
        };
      });
      return { exporters, metrics, spans };
    },
    async flush() {
      await Promise.all([meters.forceFlush(), tracerProvider.forceFlush()]);
    },
  };
}
