/**
 * What the ACR adapter reads back, parsed at the boundary (only the fields used). The ARM SDK
 * types most of its fields as optional strings, so its results go through these too.
 */
import { z } from 'zod';

interface HeaderBag {
  get(name: string): string | undefined;
}
const headerBag = z.custom<HeaderBag>((v) => typeof v === 'object' && v !== null && typeof (v as HeaderBag).get === 'function');

/** The shape of @azure/core-rest-pipeline's RestError (and of node errors, which carry `code`). */
export const SdkError = z.object({
  statusCode: z.number().int().optional(),
  code: z.string().optional(),
  response: z.object({ headers: headerBag }).optional(),
});
export type SdkError = z.infer<typeof SdkError>;

export const RunStatus = z.enum(['Queued', 'Started', 'Running', 'Succeeded', 'Failed', 'Canceled', 'Error', 'Timeout']);
export type RunStatus = z.infer<typeof RunStatus>;

export const OutputImage = z.object({
  registry: z.string().optional(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  digest: z
    .string()
    .regex(/^sha256:[a-f0-9]{64}$/)
    .optional(),
});

export const Run = z.object({
  runId: z.string().min(1),
  status: RunStatus,
  runErrorMessage: z.string().optional(),
  outputImages: z.array(OutputImage).optional(),
});
export type Run = z.infer<typeof Run>;

export const LogSasResult = z.object({ logLink: z.url() });

/** ACR's token endpoints (POST /oauth2/exchange, POST /oauth2/token). */
export const AcrRefreshToken = z.object({ refresh_token: z.string().min(1) });
export const AcrAccessToken = z.object({ access_token: z.string().min(1) });

/** Enough of a Trivy JSON report to know it is one; policy parsing lives with the scan gate. */
export const TrivyReportEnvelope = z.looseObject({
  SchemaVersion: z.number().int(),
  ArtifactName: z.string().optional(),
  Results: z.array(z.unknown()).optional(),
});
