/**
 * The deployer's own telemetry, as the services see it: counters and histograms by name, and
 * finished spans with explicit times and ids (a release's trace is assembled across many short
 * function invocations, so spans are reported when a phase ends, not held open). The OpenTelemetry
 * implementation is in adapters/otel; nothing here loads an SDK.
 */
import type { CounterName, HistogramName } from './names.js';

export type Attributes = Record<string, string | number | boolean>;

export interface FinishedSpan {
  name: string;
  /** 32 hex: the release's trace (ids.ts derives it from the release id). */
  traceId: string;
  /** 16 hex. */
  spanId: string;
  parentSpanId?: string;
  start: Date;
  end: Date;
  attributes: Attributes;
  error?: boolean;
}

export interface MetricPoint {
  attributes: Attributes;
  /** Counters: the running total. */
  value?: number;
  /** Histograms: count, sum, min, max of what was recorded. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
}

export interface MetricView {
  name: string;
  kind: 'counter' | 'histogram';
  unit: string;
  description: string;
  points: MetricPoint[];
}

export interface TelemetrySnapshot {
  /** Where the data also goes: "memory" locally, "azure-monitor" with a connection string. */
  exporters: string[];
  metrics: MetricView[];
  spans: (Omit<FinishedSpan, 'start' | 'end'> & { start: string; end: string; durationMs: number })[];
}

export interface Observability {
  count(name: CounterName, value: number, attributes: Attributes): void;
  record(name: HistogramName, value: number, attributes: Attributes): void;
  span(span: FinishedSpan): void;
  /** What this instance has recorded (GET /api/metrics). */
  snapshot(): Promise<TelemetrySnapshot>;
  /** Export what is buffered (end of an invocation, shutdown). */
  flush(): Promise<void>;
}
