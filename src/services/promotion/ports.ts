/** What promotion needs from storage, beside the release store. Implemented in adapters/storage/promotion-store.ts. */
import type { Result } from '../domain/result.js';
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
