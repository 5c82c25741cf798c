/** Shapes shared by the Log Analytics fake and its control API. */
import type { Clock } from '../../services/ports.js';
import type { ProfileSegment, TelemetrySimulation, TrafficMode, TrafficProfile } from './simulation.js';

export type Outage = 'none' | 'http500' | 'partial' | 'timeout' | 'throttle';
export const OUTAGES: readonly Outage[] = ['none', 'http500', 'partial', 'timeout', 'throttle'];

export interface MonitorFakeOptions {
  workspaceId?: string;
  /** When set, only this bearer token is accepted (403 otherwise); any non-empty token if not. */
  token?: string;
  clock?: Clock;
  /** Upper bound on how long outage "timeout" holds a request before its 504 (default 180 s, the service's). */
  timeoutHoldMs?: number;
  /** Traffic model: 'random' (default; seeded) or 'even' (deterministic, exact numbers). */
  traffic?: TrafficMode;
  /** Seed of the random traffic (default "tailspin"): the same seed gives the same requests. */
  seed?: string | number;
  /** Queries kept in `queries`: the newest FAKE_RECORDS (2,000) by default: a long-running sandbox keeps a bounded record. */
  recordLimit?: number;
}

export interface RecordedQuery {
  at: string;
  status: number;
  query: string;
  timespan?: string;
  prefer?: string;
  shape?: unknown;
  result?: unknown;
}

export interface MonitorFake {
  /** https://127.0.0.1:port — the query API is under `${url}/v1`. */
  url: string;
  endpoint: string;
  workspaceId: string;
  ca: string;
  simulation: TelemetrySimulation;
  /** From `from` (default now) on, until a later profile — or, with `replaceLater`, dropping later ones. */
  setProfile(role: string, profile: TrafficProfile, from?: Date, opts?: { replaceLater?: boolean }): void;
  /** Switch between random and even traffic (profiles stay). */
  setTraffic(mode: TrafficMode, seed?: string | number): void;
  setOutage(outage: Outage): void;
  /** Schema drift: the workspace's AppRequests lacks these columns, so queries naming them fail like in Azure. */
  setMissingColumns(columns: string[]): void;
  state(): {
    workspaceId: string;
    outage: Outage;
    traffic: { mode: TrafficMode; seed: string | number };
    missingColumns: string[];
    profiles: Record<string, ProfileSegment[]>;
    recentQueries: RecordedQuery[];
  };
  /** Every query received, oldest first. */
  queries: RecordedQuery[];
  /** Requests to paths the fake does not serve: tests assert this stays empty. */
  unexpected: string[];
  stop(): Promise<void>;
}
