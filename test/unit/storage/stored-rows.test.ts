import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReleaseRecord, TimelineEntry, parseStored } from '../../../src/services/adapters/storage/schema.js';
import { own } from '../../helpers/fixtures.js';

/** Releases as an earlier version stored them (see test/fixtures/stored-releases/README.md). */
const rows = JSON.parse(readFileSync(own('stored-releases', 'at-25ec298.json'), 'utf8')) as Record<string, unknown>[];

describe('stored releases from an earlier version', () => {
  it.each(rows.map((r) => [`${String(r.kind)} ${String(r.phase)} ${String(r.id)}`, r]))('%s loads with nothing dropped', (_name, row) => {
    const { timeline, ...record } = row as { timeline: unknown[] };
    expect(parseStored(ReleaseRecord, record, 'release')).toEqual(record);
    for (const e of timeline) expect(parseStored(TimelineEntry, e, 'timeline entry')).toEqual(e);
  });

  it('covers every kind of ending the suites reach', () => {
    expect(new Set(rows.map((r) => `${String(r.kind)}:${String(r.phase)}`))).toEqual(
      new Set([
        'image:succeeded',
        'image:blocked',
        'image:unverified',
        'image:rolled_back',
        'manifest:rolled_back',
        'manifest:blocked',
        'manifest:succeeded',
        'build:succeeded',
      ]),
    );
  });
});

describe('waits stored before they named what they wait on', () => {
  const inFlight = (wait: unknown) => ({ ...(rows[0] as object), phase: 'deploying', wait });

  it('are read with `on` taken from their label', () => {
    const since = '2026-11-26T10:00:00.000Z';
    for (const [text, on] of [
      ['deploy slot: waiting for release r-x to finish', 'slot'],
      ['rollout: 1 of 2 updated replicas', 'rollout'],
      ['rollback rollout: 1 of 2 updated replicas', 'rollback'],
      ['acr: build run cb1', 'build'],
      ['scanner: run s1', 'scan'],
      ['kubernetes: watching the rollout (EOF)', 'kubernetes'],
      ['telemetry: observing until then', 'telemetry'],
      ['smoke: GET x (attempt 1)', 'smoke'],
      ['registry: resolving tag v1', 'registry'],
    ] as const) {
      const r = parseStored(ReleaseRecord, inFlight({ for: text, since, deadline: since }), 'release');
      expect(r.wait).toEqual({ on, for: text, since, deadline: since });
    }
  });

  it('one whose label is unknown is dropped: the next tick waits afresh', () => {
    expect(parseStored(ReleaseRecord, inFlight({ for: 'something: else', since: 'x', deadline: 'y' }), 'release').wait).toBeUndefined();
  });

  it('a row that does not match says which release and where', () => {
    expect(() => parseStored(ReleaseRecord, { ...(rows[0] as object), progress: { scanAttempt: 'two' } }, 'release r-1')).toThrow(
      /^stored release r-1 does not match its schema: progress\.scanAttempt: /,
    );
  });
});
