/**
 * What the adapter reads from Log Analytics: the one row of the requests summary, and the parts of
 * SDK errors used for mapping. Only the fields used.
 */
import { z } from 'zod';

/**
 * Kusto `long` can arrive as a JSON number or, in some responses (see the spec's la-get example),
 * as a numeric string. Either way it must be a finite, non-negative integer here.
 */
const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().nonnegative());
/** percentile() is null over no rows (the "all other aggregations" default of summarize). */
const millis = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i)
      .transform(Number),
  ])
  .pipe(z.number().finite().nonnegative())
  .nullable();

/** Column descriptors as the SDK passes them through (`LogsTable.columnDescriptors`). */
export const RequestsTable = z.object({
  columnDescriptors: z.array(z.object({ name: z.string() })),
  rows: z.array(z.array(z.unknown())),
});
export type RequestsTable = z.infer<typeof RequestsTable>;

/** `slow` and `retainedSlow` only when the query asked for them (TelemetryQuery.slowAboveMs). */
export const RequestsRow = z.object({
  requests: count,
  failures: count,
  p95Ms: millis,
  slow: count.optional(),
  retainedRequests: count,
  retainedFailures: count,
  retainedSlow: count.optional(),
});
export type RequestsRow = z.infer<typeof RequestsRow>;

/** The error object the service puts in bodies (`error`) and the SDK copies into RestError.details. */
export const ServiceErrorInfo: z.ZodType<ServiceErrorInfo> = z.lazy(() =>
  z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    innererror: ServiceErrorInfo.optional(),
    details: z.array(z.object({ code: z.string().optional(), message: z.string().optional() })).optional(),
  }),
);
export interface ServiceErrorInfo {
  code?: string | undefined;
  message?: string | undefined;
  innererror?: ServiceErrorInfo | undefined;
  details?: { code?: string | undefined; message?: string | undefined }[] | undefined;
}

/** The parts of @azure/core-rest-pipeline's RestError used for mapping (its class is not re-exported). */
export const RestErrorLike = z.object({
  name: z.literal('RestError'),
  message: z.string(),
  statusCode: z.number().int().optional(),
  code: z.string().optional(),
  details: z.object({ error: ServiceErrorInfo.optional() }).optional().catch(undefined),
});
export type RestErrorLike = z.infer<typeof RestErrorLike>;
