import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import { readBoard, type BoardDeps } from '../services/board.js';
import { conditionalJson } from './conditional.js';

export function environmentsHandler(d: BoardDeps) {
  return async function environments(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    return conditionalJson(req, { environments: await readBoard(d) });
  };
}

export function registerEnvironments(r: Registrar, d: BoardDeps): void {
  r.http('listEnvironments', { route: 'environments', methods: ['GET'], authLevel: 'function', handler: environmentsHandler(d) });
}
