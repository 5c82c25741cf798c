/** What promotion needs from storage, beside the release store. Implemented in adapters/storage/promotion-store.ts. */
import type { AdapterError, Result } from '../domain/result.js';
import type { Promotion, PromotionState } from './model.js';

export interface PromotionFilter {
  state?: PromotionState;
  app?: string;
  to?: string;
}

export interface PromotionStore {
  /** Insert; a promotion with this id already there is handed back instead (duplicate requests). */
  create(p: Promotion): Promise<{ created: boolean; promotion: Promotion }>;
  get(id: string): Promise<Promotion | undefined>;
  /** Compare-and-swap on the promotion's etag. */
  save(p: Promotion): Promise<Result<Promotion, 'conflict'>>;
  /** Newest first, at most `limit`. */
  list(filter: PromotionFilter, limit?: number): Promise<Promotion[]>;
}

/** An alert that is firing now (Azure Monitor: monitorCondition Fired, not closed by a person). */
export interface FiringAlert {
  /** The alert's name as Azure Monitor shows it (usually the alert rule's). */
  name: string;
  severity: string;
  /** The ARM id of the resource it fired on. */
  target: string;
  firedAt: string;
}

/** Azure Monitor's alerts (Alerts Management API), read for the resources an environment names. */
export interface Alerts {
  /** Alerts firing now on any of these ARM resources; an error when any of them could not be read. */
  firing(targets: string[]): Promise<Result<FiringAlert[], AdapterError>>;
}
