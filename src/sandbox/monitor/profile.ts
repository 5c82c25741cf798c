/** What the fake's traffic looks like for a role from a point in time (its own file: the traffic modes and the simulation both read it). */
export interface TrafficProfile {
  /** Requests per second (resolution 0.001). 0 = no traffic. */
  rps: number;
  /** Fraction of failed requests, 0..1 (resolution 1e-6). */
  errorRate: number;
  p95Ms: number;
  /** Random mode: σ of the lognormal latency (default 0.8: P95 ≈ 3.7 × median). */
  latencySigma?: number;
  /**
   * Random mode: Application Insights fixed-rate sampling — 1 request in itemCount is kept, as one
   * row with ItemCount = itemCount (default 1: no sampling).
   */
  itemCount?: number;
  /**
   * AppVersion carried by the requests. Absent = the stream reports whatever version is asked for
   * (the sandbox cannot know which image the deployer rolls out), so it matches every version filter.
   */
  version?: string;
}

export interface ProfileSegment extends TrafficProfile {
  since: Date;
}
