/**
 * Bodies shaped like the Log Analytics query API's (REST spec `QueryResults` / `ErrorResponse`,
 * and the errors documented for it): what the SDK's deserializer and the adapter's zod schemas see.
 */
import { randomUUID } from 'node:crypto';
import type { KqlDiagnostic } from './kusto-check.js';
import type { Measurement } from './simulation.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: string, message: string, innererror?: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message, ...(innererror ? { innererror } : {}), correlationId: randomUUID() } },
  ...(headers ? { headers } : {}),
});

export const replies = {
  missingAuth: () => error(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
  wrongToken: () =>
    error(403, 'InsufficientAccessError', 'The provided credentials have insufficient access to perform the requested operation'),
  workspaceNotFound: (id: string) => error(404, 'WorkspaceNotFoundError', `Workspace ${id} could not be found`),
  badJson: (detail: string) =>
    error(400, 'BadArgumentError', 'The request had some invalid properties', {
      code: 'QueryValidationError',
      message: 'Failed parsing the query',
      details: [{ code: 'InvalidJsonBody', message: detail, target: null }],
    }),
  /** Like the service: outer BadArgumentError, then Syntax/SemanticError, then the engine's diagnostic with position. */
  badQuery: (query: string, d: KqlDiagnostic) => {
    const before = query.slice(0, d.start).split('\n');
    return error(400, 'BadArgumentError', 'The request had some invalid properties', {
      code: d.syntax ? 'SyntaxError' : 'SemanticError',
      message: d.syntax ? 'A recognition error occurred in the query.' : 'A semantic error occurred.',
      innererror: {
        code: d.code,
        message: d.message,
        line: before.length,
        pos: (before.at(-1) ?? '').length,
        token: query.slice(d.start, d.start + d.length),
      },
    });
  },
  unknownShape: () =>
    error(400, 'BadArgumentError', 'The request had some invalid properties', {
      code: 'SandboxUnsupportedQuery',
      message:
        "The sandbox answers only the deployer's own query shapes (src/sandbox/monitor/query-shape.ts); the adapter and the fake have drifted apart.",
    }),
  internal: () => error(500, 'InternalServerError', 'An internal error occurred'),
  throttled: (seconds: number) => error(429, 'ThrottledError', 'Too many requests', undefined, { 'retry-after': String(seconds) }),
  gatewayTimeout: () => error(504, 'GatewayTimeout', 'Gateway timeout', { code: 'GatewayTimeout', message: 'Kusto query timed out' }),
  notFound: (path: string) => error(404, 'PathNotFoundError', `The requested path does not exist: ${path}`),
};

/**
 * Columns of the requests summary, typed as Kusto returns sum()/count() (long) and percentile()
 * (real), in the query's order; the slow counts when asked.
 */
export function summaryTables(m: Measurement) {
  const slow = m.slow !== undefined;
  const long = (name: string) => ({ name, type: 'long' });
  return [
    {
      name: 'PrimaryResult',
      columns: [
        long('requests'),
        long('failures'),
        ...(slow ? [long('slow')] : []),
        { name: 'p95Ms', type: 'real' },
        long('retainedRequests'),
        long('retainedFailures'),
        ...(slow ? [long('retainedSlow')] : []),
      ],
      rows: [
        [
          m.requests,
          m.failures,
          ...(slow ? [m.slow] : []),
          m.p95Ms,
          m.retained.requests,
          m.retained.failures,
          ...(slow ? [m.retained.slow ?? 0] : []),
        ],
      ],
    },
  ];
}

export const pingTables = () => [{ name: 'PrimaryResult', columns: [{ name: 'Count', type: 'long' }], rows: [[0]] }];

/** 200 with tables *and* an error: how the service reports a partial result (SDK → PartialFailure). */
export const partialError = () => ({
  code: 'PartialError',
  message: 'There were some errors when processing your query.',
  details: [
    {
      code: 'EngineError',
      message: 'Something went wrong processing your query on the server.',
      innererror: {
        code: '-2133196797',
        message: 'Query execution has exceeded the allowed limits (sandbox outage "partial").',
        severity: 2,
        severityName: 'Error',
      },
    },
  ],
});
