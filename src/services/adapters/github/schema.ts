/**
 * What the GitHub adapter reads from GitHub's responses — only the fields it uses.
 * Shapes checked against GitHub's OpenAPI description and recorded responses (../shared/fixtures/github-api).
 */
import { z } from 'zod';

export const CommitStatus = z.object({
  state: z.string(),
  context: z.string(),
  description: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
});
export type CommitStatus = z.infer<typeof CommitStatus>;
export const CommitStatusList = z.array(CommitStatus);

export const Issue = z.object({
  number: z.number().int(),
  html_url: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  /** The issues endpoints also list pull requests; those carry this key. */
  pull_request: z.unknown().optional(),
});
export type Issue = z.infer<typeof Issue>;
export const IssueList = z.array(Issue);

export const IssueComment = z.object({ id: z.number().int(), html_url: z.string() });

/** 201 is a deployment; 202 is `{message}` ("Auto-merged …"): nothing was created. */
export const Deployment = z.object({ id: z.number().int() });
export const DeploymentAccepted = z.object({ message: z.string() });

export const GitTree = z.object({
  sha: z.string(),
  truncated: z.boolean(),
  tree: z.array(
    z.object({
      path: z.string(),
      type: z.string(),
      sha: z.string(),
      size: z.number().int().optional(),
    }),
  ),
});
export type GitTree = z.infer<typeof GitTree>;

export const GitBlob = z.object({
  content: z.string(),
  encoding: z.string(),
  size: z.number().int().nullable().optional(),
});

export const RateLimit = z.object({
  rate: z.object({ limit: z.number(), remaining: z.number(), reset: z.number() }),
});

/** The parts of an @octokit/request-error RequestError (or any HTTP failure) the adapter maps. */
export const HttpFailure = z.object({
  status: z.number().int(),
  message: z.string().optional(),
  response: z
    .object({
      headers: z.record(z.string(), z.union([z.string(), z.number(), z.undefined()])).default({}),
      data: z.unknown().optional(),
    })
    .optional(),
});

/** GitHub's error body: `{message, errors?: [{resource, field, code, message?}], documentation_url}`. */
export const GitHubErrorBody = z.object({
  message: z.string().optional(),
  errors: z
    .array(
      z.union([
        z.string(),
        z.object({
          resource: z.string().optional(),
          field: z.string().optional(),
          code: z.string().optional(),
          message: z.string().optional(),
        }),
      ]),
    )
    .optional(),
});
export type GitHubErrorBody = z.infer<typeof GitHubErrorBody>;
