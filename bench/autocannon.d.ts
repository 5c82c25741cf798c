/** The part of autocannon's API the webhook bench uses (the package ships no types). */
declare module 'autocannon' {
  interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Request extends RequestParams {
    setupRequest?: (req: RequestParams) => RequestParams;
  }
  interface Histogram {
    mean: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    latency: Histogram;
    requests: Histogram & { total: number };
    statusCodeStats?: Record<string, { count: number }>;
  }
  function autocannon(opts: {
    url: string;
    connections: number;
    duration: number;
    /** Stop after this many requests (then duration is only an upper bound). */
    amount?: number;
    timeout?: number;
    requests?: Request[];
  }): Promise<Result>;
  export default autocannon;
}
