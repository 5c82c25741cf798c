import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { HealthService } from '../services/health.js';

export function healthHandler(health: HealthService) {
  return async function health_(_req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const report = await health.check();
    return { status: report.status === 'down' ? 503 : 200, jsonBody: report };
  };
}

export function registerHealth(r: Registrar, health: HealthService): void {
  r.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHandler(health) });
}
