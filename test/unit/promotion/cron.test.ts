import { describe, expect, it } from 'vitest';
import { cronMatches, frozenUntil, parseCron } from '../../../src/services/promotion/cron.js';

const cron = (s: string) => {
  const c = parseCron(s);
  if (!c.ok) throw new Error(c.error);
  return c.value;
};

describe('freeze windows as cron expressions', () => {
  it('matches the minutes it names, in UTC', () => {
    const friday = cron('* 16-23 * * 5');
    expect(cronMatches(friday, new Date('2026-12-04T16:00:00Z'))).toBe(true); // a Friday
    expect(cronMatches(friday, new Date('2026-12-04T15:59:00Z'))).toBe(false);
    expect(cronMatches(friday, new Date('2026-12-05T16:00:00Z'))).toBe(false);
  });

  it('reads steps, lists and Sunday as 0 or 7', () => {
    expect(cronMatches(cron('*/15 * * * *'), new Date('2026-12-04T10:45:00Z'))).toBe(true);
    expect(cronMatches(cron('*/15 * * * *'), new Date('2026-12-04T10:46:00Z'))).toBe(false);
    expect(cronMatches(cron('0 9,17 * * *'), new Date('2026-12-04T17:00:00Z'))).toBe(true);
    expect(cronMatches(cron('* * * * 7'), new Date('2026-12-06T03:00:00Z'))).toBe(true); // a Sunday
  });

  it('with both day fields restricted, either day matches (Vixie cron)', () => {
    const c = cron('* * 25 12 5');
    expect(cronMatches(c, new Date('2026-12-25T10:00:00Z'))).toBe(true);
    expect(cronMatches(c, new Date('2026-12-04T10:00:00Z'))).toBe(true);
    expect(cronMatches(c, new Date('2026-12-03T10:00:00Z'))).toBe(false);
  });

  it('says when a freeze ends, and that an always-on one never does', () => {
    const friday = cron('* 16-23 * * 5');
    expect(frozenUntil([friday], new Date('2026-12-04T20:30:10Z'))?.toISOString()).toBe('2026-12-05T00:00:00.000Z');
    const open = new Date('2026-12-04T10:30:10Z');
    expect(frozenUntil([friday], open)).toBe(open);
    expect(frozenUntil([cron('* * * * *')], open)).toBeUndefined();
  });

  it.each([
    ['', 'must have 5 fields'],
    ['* * * *', 'must have 5 fields'],
    ['* * * * * *', 'must have 5 fields'],
    ['60 * * * *', 'minute "60" is outside 0-59'],
    ['* 24 * * *', 'hour "24" is outside 0-23'],
    ['* * 0 * *', 'day of month "0" is outside 1-31'],
    ['* * * 13 *', 'month "13" is outside 1-12'],
    ['* * * * 8', 'day of week "8" is outside 0-7'],
    ['5-1 * * * *', 'outside'],
    ['*/0 * * * *', 'step below 1'],
    ['* * * * MON', 'not a number'],
    ['1,,2 * * * *', 'not a number'],
    ['-1 * * * *', 'not a number'],
    ['* * * * L', 'not a number'],
    [`${'1,'.repeat(200)}1 * * * *`, 'longer than 200'],
  ])('refuses %j with a reason', (text, why) => {
    const c = parseCron(text);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error).toContain(why);
  });
});
