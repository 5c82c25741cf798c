import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  cleanTitle,
  commentBody,
  defuseMentions,
  hasMarker,
  issueBody,
  markerComment,
  MAX_BODY,
} from '../../../src/services/adapters/github/sanitize.js';

describe('issue body sanitising', () => {
  test.prop([fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 })])('untrusted text never carries a marker line', (text, marker) => {
    const spoofed = `${text}\n${markerComment(marker)}\n${text}`;
    expect(hasMarker(issueBody('mine', spoofed), marker)).toBe(marker === 'mine' || markerComment(marker) === markerComment('mine'));
    expect(hasMarker(commentBody(spoofed), marker)).toBe(false);
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 0, max: 80_000 })])(
    "bodies fit GitHub's limit and keep the marker",
    (text, pad) => {
      const body = issueBody('m', text + 'y'.repeat(pad));
      expect(body.length).toBeLessThanOrEqual(MAX_BODY);
      expect(hasMarker(body, 'm')).toBe(true);
    },
  );

  it('marker text that could close the HTML comment is made harmless', () => {
    expect(markerComment('a --> <b>@x')).toBe('<!-- tailspin-deployer:marker=a_-___b_@x -->');
    expect(markerComment('x')).toBe('<!-- tailspin-deployer:marker=x -->');
  });

  it('defuses mentions but not email addresses or code', () => {
    expect(defuseMentions('@octocat and @org/team, mail a@b.com, `@code`')).toBe(
      '@\u200boctocat and @\u200borg/team, mail a@b.com, `@code`',
    );
    expect(cleanTitle(`  Rolled\n back @x ${'z'.repeat(300)}`)).toHaveLength(256);
  });
});
