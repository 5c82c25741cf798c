/** How releases, heads and timelines are laid out in Azure Tables. */
import { createHash, randomBytes } from 'node:crypto';
import type { Release, TimelineEntry } from '../../domain/release.js';
import type { Head } from '../../domain/head.js';

// A string property holds at most 64 KiB (32K UTF-16 chars); bigger JSON is split over d0..dN.
const CHUNK = 30_000;
const MAX_CHUNKS = 30;

export const partitionOf = (app: string, environment: string): string => `${app}|${environment}`;

export function newReleaseId(now: Date): string {
  return `r-${now.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Newest first: row keys sort ascending, so invert the creation time. */
export function releaseRowKey(id: string, createdAt: Date): string {
  const inv = (1e13 - createdAt.getTime()).toString().padStart(13, '0');
  return `R${inv}-${id}`;
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

export function unpackJson<T>(entity: Record<string, unknown>): T {
  let text = '';
  for (let i = 0; typeof entity[`d${i}`] === 'string'; i++) text += entity[`d${i}`] as string;
  return JSON.parse(text) as T;
}

export type ReleaseRecord = Omit<Release, 'timeline' | 'etag'>;

export function releaseEntity(r: Release, rowKey: string): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const { timeline: _t, etag: _e, ...record } = r;
  return {
    partitionKey: partitionOf(r.app, r.environment),
    rowKey: rowKey,
    type: 'release',
    releaseId: r.id,
    phase: r.phase,
    active: !['succeeded', 'blocked', 'rolled_back', 'failed', 'superseded', 'unverified'].includes(r.phase),
    nextCheckAt: r.nextCheckAt ? new Date(r.nextCheckAt) : new Date(8.64e15),
    timelineLength: r.timeline.length,
    ...packJson(record),
  };
}

export function timelineEntity(partitionKey: string, relRowKey: string, seq: number, e: TimelineEntry) {
  return { partitionKey, rowKey: timelineRowKey(relRowKey, seq), type: 'timeline', ...packJson(e) };
}

export function headEntity(h: Head) {
  const { etag: _e, ...rest } = h as Head & { etag?: string };
  return { partitionKey: partitionOf(h.app, h.environment), rowKey: HEAD_ROW, type: 'head', ...packJson(rest) };
}

/** SDK errors carry statusCode; duck-typed because several copies of core-rest-pipeline may be loaded. */
export const isStatus = (e: unknown, ...codes: number[]): boolean =>
  typeof e === 'object' && e !== null && codes.includes((e as { statusCode?: number }).statusCode ?? -1);
