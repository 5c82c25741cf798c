/**
 * Every setting the deployer reads, validated once at start-up. Nothing below this file reads
 * process.env. A missing or malformed setting stops start-up with a message naming it.
 */
import { z } from 'zod';
import { Catalog, defaultCatalog } from './domain/catalog.js';
import { verificationSettings } from './verification/settings.js';
import { flatGraph, PromotionGraphSpec, type PromotionGraph } from './promotion/graph.js';
import { VERIFICATION_ENV, verificationSettingsFromConfig, type VerificationSettings } from './verification/index.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const num = (def: number) => z.coerce.number().positive().default(def);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v : undefined));
const csv = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** A storage connection string must carry an endpoint or account name and a key, or be the dev shortcut. */
const storageConnection = z
  .string()
  .refine(
    (v) =>
      v === 'UseDevelopmentStorage=true' ||
      (/(^|;)(AccountName|BlobEndpoint|QueueEndpoint|TableEndpoint)=/i.test(v) && /(^|;)(AccountKey|SharedAccessSignature)=/i.test(v)),
    { message: 'expected "UseDevelopmentStorage=true" or "DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;…"' },
  )
  // azurerm's Flex Consumption resource writes "…;AccountKey=;…" even for identity-based storage
  // (function_app_flex_consumption_resource.go); the storage SDKs then fail later with "Invalid AccountKey".
  .refine((v) => !/(^|;)AccountKey=\s*(;|$)/i.test(v), {
    message:
      'has an empty AccountKey (azurerm writes one for Flex Consumption apps): delete this setting and use AzureWebJobsStorage__accountName with the managed identity',
  });

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const Settings = z.object({
  /** A connection string; or leave it out and set AzureWebJobsStorage__accountName for the managed identity. */
  AzureWebJobsStorage: storageConnection.optional(),
  AzureWebJobsStorage__accountName: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, 'expected a storage account name')
      .optional(),
  ),
  TAILSPIN_ENVIRONMENTS: csv('dev'),
  TAILSPIN_SERVICE_NAME: z.string().default('tailspin-deployer'),
  TAILSPIN_PUBLIC_URL: z.url().default('http://localhost:7071'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  // Storage names
  TAILSPIN_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/)
    .default('tailspin-releases'),
  TAILSPIN_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/)
    .default('tailspin'),

  // GitHub
  GITHUB_REPOSITORY: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"')
    .default('tailspin/tailspin-toys'),
  GITHUB_DEPLOY_BRANCH: z.string().default('main'),
  GITHUB_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters'),
  /** Accepted too while a secret is being rotated. */
  GITHUB_WEBHOOK_SECRET_PREVIOUS: optionalText,
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_TOKEN: optionalText,
  GITHUB_APP_ID: optionalText,
  GITHUB_APP_PRIVATE_KEY: optionalText,
  GITHUB_APP_INSTALLATION_ID: optionalText,
  // GitHub adapter (issue 5)
  /** PEM of a CA to trust for GITHUB_API_URL instead of the public ones (the sandbox's throw-away CA). */
  GITHUB_CA_PEM: optionalText,
  WEBHOOK_MAX_BODY_BYTES: int(25 * 1024 * 1024, 1024),

  // Azure
  ARM_ENDPOINT: z.url().default('https://management.azure.com'),
  ACR_LOGIN_SERVER: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?$/, 'expected a registry host like myacr.azurecr.io')
    .default('tailspinacr.azurecr.io'),
  ACR_RESOURCE_ID: optionalText,
  // Registry and ACR Tasks (acr adapter)
  /** ARM base URL for ACR only (defaults to ARM_ENDPOINT); the sandbox points it at its fake without touching AKS. */
  ACR_ARM_ENDPOINT: optionalText.refine((v) => v === undefined || /^https:\/\//.test(v), 'expected an https:// URL'),
  /** Registry data-plane base URL instead of https://<ACR_LOGIN_SERVER> (the sandbox fake). */
  ACR_REGISTRY_ENDPOINT: optionalText.refine((v) => v === undefined || /^https:\/\//.test(v), 'expected an https:// URL'),
  /** PEM of a CA to trust for ACR's ARM endpoint, data plane and run logs instead of the public ones (the sandbox's CA). */
  ACR_CA_PEM: optionalText,
  /** Fixed bearer token for ARM and the registry token exchange instead of the managed identity: sandbox fake only. */
  ACR_STATIC_TOKEN: optionalText,
  /** ACR's own limit on a build run. */
  ACR_BUILD_TIMEOUT_SECONDS: int(1800, 60),
  AKS_RESOURCE_ID: optionalText,
  KUBECONFIG: optionalText,
  LOG_ANALYTICS_WORKSPACE_ID: optionalText,
  MONITOR_LOGS_ENDPOINT: z.url().default('https://api.loganalytics.azure.com/v1'),
  // Telemetry (monitor adapter)
  /** PEM of a CA to trust for MONITOR_LOGS_ENDPOINT instead of the public ones (the sandbox's throw-away CA). */
  MONITOR_LOGS_CA_PEM: optionalText,
  /** Fixed bearer token for MONITOR_LOGS_ENDPOINT instead of the managed identity: for the sandbox fake only. */
  MONITOR_LOGS_STATIC_TOKEN: optionalText,
  MONITOR_QUERY_TIMEOUT_SECONDS: int(30, 1),
  // Azure Monitor alerts (alerts adapter): firing alerts on an environment's alertTargets hold promotions out of it
  /** ARM base URL for the Alerts Management API instead of ARM_ENDPOINT (the sandbox's fake). */
  MONITOR_ALERTS_ENDPOINT: optionalText.refine((v) => v === undefined || /^https:\/\//.test(v), 'expected an https:// URL'),
  /** PEM of a CA to trust for MONITOR_ALERTS_ENDPOINT instead of the public ones (the sandbox's throw-away CA). */
  MONITOR_ALERTS_CA_PEM: optionalText,
  /** Fixed bearer token for MONITOR_ALERTS_ENDPOINT instead of the managed identity: for the sandbox fake only. */
  MONITOR_ALERTS_STATIC_TOKEN: optionalText,
  // The deployer's own telemetry (src/services/telemetry): also sent to Application Insights when set.
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText.refine((v) => v === undefined || /(^|;)\s*InstrumentationKey=[^;]+/i.test(v), {
    message: 'expected an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)',
  }),

  // Scan gate
  SCAN_SEVERITIES: csv('HIGH,CRITICAL'),
  SCAN_IGNORE_UNFIXED: bool.default(false),
  SCAN_IGNOREFILE: optionalText,
  SCAN_CACHE_TTL_HOURS: num(24),
  SCAN_DEADLINE_SECONDS: int(900, 10),
  SCAN_RETRIES: int(1),
  SCAN_POLL_SECONDS: int(10, 1),
  BUILD_POLL_SECONDS: int(15, 1),
  TRIVY_IMAGE: z.string().default('aquasec/trivy:0.58.1'),
  TRIVY_DB_REPOSITORY: z.string().default('ghcr.io/aquasecurity/trivy-db:2'),
  /** Upload each scan's SARIF to GitHub code scanning (needs security_events: write). */
  CODE_SCANNING_UPLOAD: bool.default(true),

  // Signature gate (cosign signatures on the digest, after the scan gate)
  /** off | warn | enforce; an app's signaturePolicy in TAILSPIN_CATALOG overrides it. */
  SIGNATURE_POLICY: z.enum(['off', 'warn', 'enforce']).default('off'),
  /** PEM public key(s) signatures must verify against (cosign.pub); a Key Vault reference in Azure. */
  COSIGN_PUBLIC_KEY: optionalText,
  SIGNATURE_DEADLINE_SECONDS: int(300, 10),

  // Rollout and verification
  ROLLOUT_POLL_SECONDS: int(5, 1),
  ROLLOUT_DEADLINE_SECONDS: int(600, 10),
  VERIFY_WINDOW_SECONDS: int(300, 1),
  VERIFY_INTERVAL_SECONDS: int(30, 1),
  VERIFY_ERROR_RATE_MAX: z.coerce.number().min(0).max(1).default(0.01),
  VERIFY_P95_MS_MAX: num(2000),
  /** A healthy verdict needs at least this many requests (a floor for "healthy" only; breaches need none). */
  VERIFY_MIN_REQUESTS: int(50),
  // The sequential rule's error budgets and ratios, VERIFY_BASELINE_BREACH (src/services/verification/env.ts).
  ...VERIFICATION_ENV,
  VERIFY_INCONCLUSIVE: z.enum(['extend-then-pass', 'extend-then-hold', 'hold']).default('extend-then-pass'),
  VERIFY_TELEMETRY_UNAVAILABLE: z.enum(['keep-unverified', 'rollback']).default('keep-unverified'),
  SMOKE_RETRIES: int(3),

  // Notifications of ended releases (issue 14): retried with backoff until GitHub takes them
  NOTIFY_RETRY_SECONDS: int(30, 1),
  NOTIFY_RETRY_MAX_SECONDS: int(900, 1),
  NOTIFY_DEADLINE_HOURS: num(24),

  // History (issue 19): ended releases older than this are removed by the sweeper; 0 keeps them forever
  RELEASE_RETENTION_DAYS: int(90),

  // Local host and sandbox
  TAILSPIN_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  FUNCTIONS_HTTP_PORT: int(7071, 1),
  /** Function key the local host enforces for authLevel "function" routes. */
  TAILSPIN_LOCAL_FUNCTION_KEY: z.string().min(8).default('local-dev-function-key'),
  AZURITE_LOCATION: optionalText,
  TAILSPIN_CATALOG: z.preprocess((v) => (v === '' ? undefined : v), json(Catalog).optional()),

  // Promotion (issue 18): the environments as a graph, each with its policy (src/services/promotion/graph.ts)
  TAILSPIN_PROMOTION: z.preprocess((v) => (v === '' ? undefined : v), json(PromotionGraphSpec).optional()),
  /** NCRONTAB (with seconds) of the timer that starts automatic promotions and looks at pending ones. */
  PROMOTION_SCHEDULE: z
    .string()
    .regex(/^\S+( \S+){5}$/, 'expected an NCRONTAB schedule with 6 fields, e.g. "0 */1 * * * *"')
    .default('0 */1 * * * *'),
  /**
   * The GitHub Actions workflow file (in .github/workflows) that mirrors a pending approval promotion
   * into GitHub: its job names the target environment, so required reviewers and the deployer's custom
   * protection rule decide there too (docs/github-approvals.md). Unset: approvals through the API only.
   */
  PROMOTION_GITHUB_WORKFLOW: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}\.ya?ml$/, 'expected a workflow file name such as "tailspin-promotion.yml"')
      .optional(),
  ),
});

export type Settings = z.infer<typeof Settings>;

export interface Config extends Settings {
  /** The promotion graph: TAILSPIN_PROMOTION, or one environment per TAILSPIN_ENVIRONMENTS name with none. */
  promotion: PromotionGraph;
  storage: StorageSetting;
  catalog: Catalog;
  /** The verification rule, checked as a whole (the failing rate must stay a rate). */
  verification: VerificationSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Where releases and work live: the managed identity on an account, or a connection string. */
export type StorageSetting = { accountName: string } | { connectionString: string };

/**
 * App Service replaces "@Microsoft.KeyVault(…)" with the secret before the app starts; when it cannot
 * (no access, no such secret, vault unreachable) the literal stays, and would pass as a value.
 */
const UNRESOLVED_KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\(/i;

/** Parse settings from an environment-like record. Throws ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const unresolved = Object.keys(Settings.shape)
    .filter((k) => UNRESOLVED_KEY_VAULT_REFERENCE.test(env[k] ?? ''))
    .map(
      (k) =>
        `${k}: is an unresolved Key Vault reference (the app's identity needs "Key Vault Secrets User" on the vault and the secret must exist; see the app's Environment variables blade)`,
    );
  if (unresolved.length > 0) throw new ConfigError(unresolved);
  const parsed = Settings.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join('.') || '(settings)';
      const got = i.code === 'invalid_type' && env[String(i.path[0])] === undefined ? 'is missing' : i.message;
      return `${name}: ${got}`;
    });
    throw new ConfigError(problems);
  }
  const s = parsed.data;
  // The identity form wins: it is what Terraform configures, and it has no key to leak or rotate.
  const storage: StorageSetting | undefined = s.AzureWebJobsStorage__accountName
    ? { accountName: s.AzureWebJobsStorage__accountName }
    : s.AzureWebJobsStorage
      ? { connectionString: s.AzureWebJobsStorage }
      : undefined;
  if (!storage) {
    throw new ConfigError([
      'AzureWebJobsStorage: is missing (set a connection string, or AzureWebJobsStorage__accountName to use the managed identity)',
    ]);
  }
  const promotion = s.TAILSPIN_PROMOTION ?? flatGraph(s.TAILSPIN_ENVIRONMENTS);
  const environments = promotion.environments.map((e) => e.name);
  // With a graph, TAILSPIN_ENVIRONMENTS may stay as it was (the root alone, say) but may not disagree with it.
  const listed = env.TAILSPIN_ENVIRONMENTS?.trim() ? s.TAILSPIN_ENVIRONMENTS : [];
  if (s.TAILSPIN_PROMOTION && listed.length && (listed[0] !== environments[0] || listed.some((e) => !environments.includes(e))))
    throw new ConfigError([
      `TAILSPIN_ENVIRONMENTS: lists ${listed.join(', ')} but TAILSPIN_PROMOTION has ${environments.join(', ')} (root ${environments[0] ?? '?'} first); leave it out, or list the root first and only environments of the graph`,
    ]);
  const settings = { ...s, TAILSPIN_ENVIRONMENTS: environments };
  const catalog = s.TAILSPIN_CATALOG ?? defaultCatalog(s.GITHUB_REPOSITORY, s.GITHUB_DEPLOY_BRANCH, environments);
  const verification = verificationRule(s);
  environmentVerification(promotion, verification);
  return { ...settings, promotion, storage, catalog, verification };
}

/** The settings that tune verification must make a test together; the message names them. */
function verificationRule(s: Settings): VerificationSettings {
  try {
    return verificationSettingsFromConfig(s);
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError([e.message]);
    throw e;
  }
}

/** An environment's own thresholds must make a test with the shared rule too; the message names the environment. */
function environmentVerification(g: PromotionGraph, shared: VerificationSettings): void {
  for (const e of g.environments) {
    const v = e.verify;
    if (!v) continue;
    try {
      verificationSettings({
        ...shared,
        ...(v.errorRateMax !== undefined ? { errorRateMax: v.errorRateMax } : {}),
        ...(v.p95MsMax !== undefined ? { p95MsMax: v.p95MsMax } : {}),
      });
    } catch (x) {
      if (x instanceof RangeError) throw new ConfigError([`TAILSPIN_PROMOTION: ${e.name}: verify: ${x.message}`]);
      throw x;
    }
  }
}

/** Names of settings whose values are secrets: never logged, never echoed. */
export const SECRET_SETTINGS = [
  'AzureWebJobsStorage',
  'GITHUB_WEBHOOK_SECRET',
  'GITHUB_WEBHOOK_SECRET_PREVIOUS',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'TAILSPIN_LOCAL_FUNCTION_KEY',
  'MONITOR_LOGS_STATIC_TOKEN',
  'ACR_STATIC_TOKEN',
  'MONITOR_ALERTS_STATIC_TOKEN',
] as const;
