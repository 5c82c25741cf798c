/** Every function the deployer has, registered through whichever registrar the host provides. */
import type { Registrar } from './registrar.js';
import { registerHealth } from './health.js';
import { registerGithubWebhook } from './github-webhook.js';
import { registerAcrEvents } from './acr-events.js';
import { registerDeployments } from './deployments.js';
import { registerPipeline } from './pipeline.js';
import { answeringUnavailable } from './http.js';
import { registerMetrics } from './metrics.js';
import { registerEnvironments } from './environments.js';
import { registerDashboard } from './dashboard.js';
import { githubLinks } from '../services/release-view.js';
import { dashboardAssets } from '../dashboard/server/assets.js';
import { registerAdmissions } from './admissions.js';
import { registerPromotions } from './promotions.js';
import { storageNames, type Services } from '../services/compose.js';
import { githubApprovalEvent } from '../services/promotion/github-events.js';

export function registerAll(registrar: Registrar, s: Services): void {
  const { config: c, logger, intake, store, ledger } = s;
  // Every HTTP door answers a storage outage the same way (503 + Retry-After).
  const r: Registrar = {
    http: (name, reg) => registrar.http(name, { ...reg, handler: answeringUnavailable(name, reg.handler, logger) }),
    storageQueue: (name, reg) => registrar.storageQueue(name, reg),
    timer: (name, reg) => registrar.timer(name, reg),
    eventGrid: (name, reg) => registrar.eventGrid(name, reg),
  };
  registerHealth(r, s.health);
  registerGithubWebhook(r, {
    intake,
    logger,
    secrets: { current: c.GITHUB_WEBHOOK_SECRET, previous: c.GITHUB_WEBHOOK_SECRET_PREVIOUS },
    maxBodyBytes: c.WEBHOOK_MAX_BODY_BYTES,
    approvals: (delivery, event, payload, log) => githubApprovalEvent(s.promotion, delivery, event, payload, log),
  });
  registerAcrEvents(r, { intake, logger, catalog: c.catalog, loginServer: c.ACR_LOGIN_SERVER });
  const github = githubLinks(c.GITHUB_API_URL, c.catalog.repository);
  registerDeployments(r, {
    intake,
    store,
    ledger,
    logger,
    publicUrl: c.TAILSPIN_PUBLIC_URL,
    github,
    retentionDays: c.RELEASE_RETENTION_DAYS,
  });
  registerEnvironments(r, { store, catalog: c.catalog, loginServer: c.ACR_LOGIN_SERVER, publicUrl: c.TAILSPIN_PUBLIC_URL });
  // Beside the bundle (dist/dashboard) when built; from the sources otherwise.
  registerDashboard(r, { assets: dashboardAssets(new URL('./dashboard/', import.meta.url)), logger });
  registerPipeline(r, s.pipeline, c.TAILSPIN_QUEUE_NAME);
  registerMetrics(r, s.observability);
  registerAdmissions(r, { intake, logger }, storageNames(c).admissionQueue);
  registerPromotions(r, s.promotion, c.PROMOTION_SCHEDULE);
}
