/**
 * The promotion graph (TAILSPIN_PROMOTION): environments, where each one takes its releases from,
 * and the policy that moves a verified release onward. Validated as a whole: every name unique,
 * one root (where pushes deploy), every upstream known, no cycles, policies that can be met.
 */
import { z } from 'zod';
import { DNS_LABEL } from '../domain/release.js';
import { parseCron, type Cron } from './cron.js';

/** entra:<name or object id>, entra-group:<object id>, github:<login>, github-team:<org>/<team slug>. */
export const PRINCIPAL_PATTERN =
  /^(entra:[^\s:]{1,256}|entra-group:[0-9a-f-]{36}|github:[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})|github-team:[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[a-z0-9][a-z0-9_-]{0,99})$/;

const Principal = z
  .string()
  .regex(PRINCIPAL_PATTERN, 'expected entra:<user or object id>, entra-group:<object id>, github:<login> or github-team:<org>/<team slug>');

const Soak = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600);

export const PromotionPolicy = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('auto'), soakSeconds: Soak.default(1800) }).strict(),
  z
    .object({
      kind: z.literal('approval'),
      approvals: z.number().int().min(1).max(20).default(1),
      approvers: z.array(Principal).min(1).max(200),
      /** false: whoever requested a promotion cannot approve it. */
      allowSelfApproval: z.boolean().default(false),
      /** The upstream release must also have soaked this long (no rollback upstream meanwhile). */
      soakSeconds: Soak.default(0),
    })
    .strict(),
]);
export type PromotionPolicy = z.infer<typeof PromotionPolicy>;

const ArmResourceId = z
  .string()
  .regex(
    /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/,
    'expected an ARM resource id',
  );

export const EnvironmentCluster = z.union([
  z.object({ kubeconfig: z.string().min(1) }).strict(),
  z
    .object({
      aksResourceId: z
        .string()
        .regex(
          /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i,
          'expected an AKS resource id',
        ),
    })
    .strict(),
]);

export const EnvironmentSpec = z
  .object({
    name: z.string().regex(DNS_LABEL, 'must be a DNS label (lowercase letters, digits, dashes)'),
    /** The environment whose verified releases this one takes; absent on the root. */
    from: z.string().optional(),
    policy: PromotionPolicy.optional(),
    /** Cron expressions (UTC); a matching minute is frozen: nothing is promoted automatically. */
    freeze: z.array(z.string()).max(20).default([]),
    /** Namespace of every app here instead of the catalog's. */
    namespace: z.string().regex(DNS_LABEL).optional(),
    cluster: EnvironmentCluster.optional(),
    /**
     * ARM ids of this environment's resources (its AKS cluster, its Application Insights, …) whose firing
     * Azure Monitor alerts hold every promotion out of it: nothing moves on while one fires.
     */
    alertTargets: z.array(ArmResourceId).max(20).default([]),
    /**
     * Where this environment's apps report: its own Log Analytics workspace (the customer id behind its
     * Application Insights) instead of LOG_ANALYTICS_WORKSPACE_ID, and each app's role name (AppRoleName)
     * there instead of the catalog's telemetryRole.
     */
    telemetry: z
      .object({
        workspaceId: z.guid('expected the workspace id (customer id, a GUID)').optional(),
        roles: z.record(z.string().regex(DNS_LABEL), z.string().min(1).max(256)).default({}),
      })
      .strict()
      .optional(),
    /** Verification here instead of the VERIFY_* settings. */
    verify: z
      .object({
        windowSeconds: z.number().int().min(1).max(86_400).optional(),
        errorRateMax: z.number().min(0).max(1).optional(),
        p95MsMax: z.number().positive().max(600_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;

export interface Environment extends EnvironmentSpec {
  freezeCrons: Cron[];
}

export interface PromotionGraph {
  /** Root first, then every environment after its upstream. */
  environments: Environment[];
}

export const PromotionGraphSpec = z
  .object({ environments: z.array(EnvironmentSpec).min(1).max(20) })
  .strict()
  .transform((g, ctx): PromotionGraph => {
    const problems = graphProblems(g.environments);
    for (const p of problems) ctx.addIssue({ code: 'custom', message: p });
    const environments = topological(g.environments).map((e) => ({
      ...e,
      freezeCrons: e.freeze.flatMap((f) => {
        const c = parseCron(f);
        if (!c.ok) ctx.addIssue({ code: 'custom', message: `${e.name}: freeze ${c.error}` });
        return c.ok ? [c.value] : [];
      }),
    }));
    return { environments };
  });

function graphProblems(envs: EnvironmentSpec[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const e of envs) {
    if (names.has(e.name)) problems.push(`environment "${e.name}" is listed twice`);
    names.add(e.name);
  }
  const roots = envs.filter((e) => e.from === undefined);
  if (roots.length !== 1)
    problems.push(
      `exactly one environment must have no "from" (where pushes deploy); found ${roots.map((r) => r.name).join(', ') || 'none'}`,
    );
  for (const e of envs) {
    if (e.from !== undefined && !names.has(e.from)) problems.push(`${e.name}: from "${e.from}" is not an environment here`);
    if (e.from === e.name) problems.push(`${e.name}: cannot take releases from itself`);
    if (e.from !== undefined && !e.policy)
      problems.push(`${e.name}: needs a policy ("auto" or "approval") to take releases from ${e.from}`);
    if (e.from === undefined && e.policy) problems.push(`${e.name}: is the root; a policy there has nothing to promote from`);
    if (e.policy?.kind === 'approval') {
      // A group or team may hold any number of people; named people are counted.
      const people = e.policy.approvers.filter((p) => !p.startsWith('entra-group:') && !p.startsWith('github-team:'));
      if (people.length === e.policy.approvers.length && new Set(people.map((p) => p.toLowerCase())).size < e.policy.approvals)
        problems.push(`${e.name}: needs ${e.policy.approvals} approvals but lists only ${new Set(people).size} approvers`);
    }
  }
  if (hasCycle(envs)) problems.push(`the "from" links form a cycle: ${envs.map((e) => `${e.from ?? '∅'}→${e.name}`).join(', ')}`);
  return problems;
}

function hasCycle(envs: EnvironmentSpec[]): boolean {
  const from = new Map(envs.map((e) => [e.name, e.from]));
  for (const e of envs) {
    const seen = new Set<string>();
    for (let at: string | undefined = e.name; at !== undefined; at = from.get(at)) {
      if (seen.has(at)) return true;
      seen.add(at);
    }
  }
  return false;
}

/** Root first; each environment after its upstream (a cycle or unknown upstream is reported elsewhere; kept last). */
function topological(envs: EnvironmentSpec[]): EnvironmentSpec[] {
  const out: EnvironmentSpec[] = [];
  const placed = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const e of envs) {
      if (placed.has(e.name) || (e.from !== undefined && !placed.has(e.from))) continue;
      out.push(e);
      placed.add(e.name);
      changed = true;
    }
  }
  return [...out, ...envs.filter((e) => !placed.has(e.name))];
}

export const environmentOf = (g: PromotionGraph, name: string): Environment | undefined => g.environments.find((e) => e.name === name);

/** The environments that take releases from `name`. */
export const downstreamOf = (g: PromotionGraph, name: string): Environment[] => g.environments.filter((e) => e.from === name);

/** A graph of one environment per name, no promotion (what TAILSPIN_ENVIRONMENTS alone means). */
export function flatGraph(names: string[]): PromotionGraph {
  return { environments: names.map((name) => ({ name, freeze: [], freezeCrons: [], alertTargets: [] })) };
}
