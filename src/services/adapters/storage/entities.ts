/** How releases, heads and timelines are laid out in Azure Tables. */
import { createHash, randomBytes } from 'node:crypto';
import { isTerminal, type Release, type TimelineEntry } from '../../domain/release.js';
import type { Head } from '../../domain/head.js';
import { invertedTime } from './index-keys.js';

// A string property holds at most 64 KiB (32K UTF-16 chars); bigger JSON is split over d0..dN.
const CHUNK = 30_000;
const MAX_CHUNKS = 30;

export const partitionOf = (app: string, environment: string): string => `${app}|${environment}`;

export function newReleaseId(now: Date): string {
  return `r-${now.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Newest first: row keys sort ascending, so invert the creation time (index-keys.ts). */
export function releaseRowKey(id: string, createdAt: Date): string {
  return `R${invertedTime(createdAt.getTime())}-${id}`;
}

export const timelineRowKey = (releaseRowKey: string, seq: number): string => `${releaseRowKey}~${seq.toString().padStart(5, '0')}`;
export const HEAD_ROW = 'H';
export const ID_PARTITION = 'ids';

/** Table keys may not contain / \ # ? or control characters; hash anything user-supplied. */
export const safeKey = (raw: string): string => createHash('sha256').update(raw).digest('hex');

export function packJson(value: unknown): Record<string, string> {
  const text = JSON.stringify(value);
  const chunks = Math.ceil(text.length / CHUNK) || 1;
  if (chunks > MAX_CHUNKS) throw new Error(`record of ${text.length} chars exceeds the table entity budget`);
  const out: Record<string, string> = {};
  for (let i = 0; i < chunks; i++) out[`d${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  return out;
}

/** The JSON a row carries, still unchecked: parse it with ./schema.ts before use. */
export function unpackJson(entity: Record<string, unknown>): unknown {
  let text = '';
  for (let i = 0, part = entity.d0; typeof part === 'string'; part = entity[`d${++i}`]) text += part;
  return JSON.parse(text);
}

export function releaseEntity(r: Release, rowKey: string): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const { timeline: _t, etag: _e, storedDueMs: _d, ...record } = r;
  return {
    partitionKey: partitionOf(r.app, r.environment),
    rowKey: rowKey,
    type: 'release',
    releaseId: r.id,
    phase: r.phase,
    active: !isTerminal(r.phase),
    nextCheckAt: r.nextCheckAt ? new Date(r.nextCheckAt) : new Date(8.64e15),
    timelineLength: r.timeline.length,
    ...packJson(record),
  };
}

export function timelineEntity(partitionKey: string, relRowKey: string, seq: number, e: TimelineEntry) {
  return { partitionKey, rowKey: timelineRowKey(relRowKey, seq), type: 'timeline', ...packJson(e) };
}

export function headEntity(h: Head & { etag?: string }) {
  const { etag: _e, ...rest } = h;
  return { partitionKey: partitionOf(h.app, h.environment), rowKey: HEAD_ROW, type: 'head', ...packJson(rest) };
}

/** SDK errors carry statusCode; duck-typed because several copies of core-rest-pipeline may be loaded. */
export const isStatus = (e: unknown, ...codes: number[]): boolean =>
  typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number' && codes.includes(e.statusCode);

/** Create a table or queue on first use and remember it; a failed create is not remembered, so the next
 * call tries again once storage is back. */
export function createdOnce(create: () => Promise<unknown>): () => Promise<void> {
  let created: Promise<unknown> | undefined;
  return async () => {
    created ??= create().catch((e: unknown) => {
      created = undefined;
      throw e;
    });
    await created;
  };
}
