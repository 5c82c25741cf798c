/** The parts of GitHub's push webhook we use (https://docs.github.com/webhooks/webhook-events-and-payloads#push). */
import { z } from 'zod';

const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-hex commit id');
// Real payloads carry `"added": null` (and removed/modified) on some commits: read absent or null as empty.
const Paths = z
  .array(z.string())
  .nullish()
  .transform((p) => p ?? []);

const Commit = z.object({
  id: Sha,
  added: Paths,
  modified: Paths,
  removed: Paths,
});

export const PushEvent = z.object({
  ref: z.string().min(1),
  before: Sha,
  after: Sha,
  created: z.boolean().default(false),
  deleted: z.boolean().default(false),
  forced: z.boolean().default(false),
  compare: z.string().optional(),
  /** Tag pushes: the branch whose tip the tag points at, when it does (null otherwise). */
  base_ref: z.string().nullish(),
  commits: z
    .array(Commit)
    .nullish()
    .transform((c) => c ?? []),
  head_commit: Commit.nullish(),
  repository: z.object({ full_name: z.string() }),
  pusher: z.object({ name: z.string().optional() }).partial().optional(),
  sender: z.object({ login: z.string() }).partial().optional(),
});
export type PushEvent = z.infer<typeof PushEvent>;
