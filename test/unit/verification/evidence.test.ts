/** The evidence as the rollback issue shows it. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VERIFICATION_SETTINGS as S,
  decideVerification,
  evidenceMarkdown,
  verificationSettings,
} from '../../../src/services/verification/index.js';

describe('evidenceMarkdown', () => {
  it('verdict, rule with its numbers, one row per sample with the side crossed, baseline and blame', () => {
    const d = decideVerification(
      {
        looks: [
          { atS: 30, requests: 150, failures: 4, slow: 0 },
          { atS: 60, requests: 290, failures: 12, slow: 1 },
        ],
        windowS: 300,
        baseline: { requests: 1500, failures: 3, slow: 0 },
      },
      S,
    );
    const md = evidenceMarkdown(d);
    expect(md[0]).toBe('**Verdict:** error rate 4.1 % (95 % CI 2.4–7.1 %) is above 1 %: rolled back after 2 samples');
    expect(md.join('\n')).toContain(
      'breach once ln LR ≥ 5.30 (a healthy release gets there in at most 0.5 % of cases), healthy once ≤ −5.30',
    );
    expect(md).toContain('| 1 | 30 s | 150 (+150) | 4 (+4) | 0 (+0) | 2.7 % (1–6.7 %) | 3.33 open | 0 % (0–2.5 %) | −12.01 ▼ healthy |');
    expect(md).toContain(
      '| 2 | 60 s | 290 (+140) | 12 (+8) | 1 (+1) | 4.1 % (2.4–7.1 %) | 12.41 ▲ breach | 0.34 % (0.06–1.9 %) | −21.75 ▼ healthy |',
    );
    expect(md.at(-1)).toMatch(
      /^Baseline before the deploy: 1500 requests; errors 3 of 1500 \(0\.2 %\), not breaching; new vs old: p = 0\.0000038, significantly worse; .* — blame: release\.$/,
    );
  });

  it('long histories keep the first and the latest samples; sample numbers survive a caller that drops the middle', () => {
    const looks = Array.from({ length: 40 }, (_, i) => ({
      atS: 30 * (i + 1),
      requests: 10 * (i + 1),
      failures: 0,
      slow: 0,
      sample: i + 1,
    }));
    const full = decideVerification({ looks, windowS: 1200 }, S);
    const md = evidenceMarkdown(full, 8);
    expect(md.filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(8);
    expect(md).toContain('| … | | 32 samples | | | | | | |');
    const trimmed = decideVerification({ looks: [...looks.slice(0, 3), ...looks.slice(-5)], windowS: 1200 }, S);
    expect(trimmed).toMatchObject({ outcome: full.outcome, samples: 40 });
    expect(trimmed.verdict).toBe(full.verdict);
  });

  it('states the window-end test when it decided, and different α and β', () => {
    const d = decideVerification({ looks: [{ atS: 300, requests: 1500, failures: 16, slow: 0 }], windowS: 300 }, S);
    expect(evidenceMarkdown(d)).toContain(
      'Window end (errors): p = 0.0045 that the rate is at most the healthy rate, p = 0.0036 that it is at least the failing rate → breach.',
    );
    const lopsided = decideVerification(
      { looks: [], windowS: 300 },
      verificationSettings({ falseRollbackMax: 0.002, missedBreachMax: 0.05 }),
    );
    expect(evidenceMarkdown(lopsided).join('\n')).toContain('(levels 0.1 % and 2.5 %)');
  });

  it('a history the caller kept bounded shows where samples were dropped', () => {
    const looks = [1, 2, 3, 9, 10].map((n) => ({ atS: 30 * n, requests: 10 * n, failures: 0, slow: 0, sample: n }));
    const md = evidenceMarkdown(decideVerification({ looks, windowS: 600 }, S));
    const rows = md.filter((l) => l.startsWith('| ') && !l.startsWith('| sample'));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual(['| 1', '| 2', '| 3', '| …', '| 9', '| 10']);
    expect(md).toContain('| … | | 5 samples | | | | | | |');
  });

  it('under sampling, says that the rows are retained rows and what they stand for', () => {
    const d = decideVerification(
      { looks: [{ atS: 30, requests: 150, failures: 3, slow: 1, weighted: { requests: 1500, failures: 30, slow: 10 } }], windowS: 300 },
      S,
    );
    expect(evidenceMarkdown(d)).toContain(
      'Application Insights sampling: the counts above are retained rows, one observation each; at sample 1 they stand for 1500 requests, 30 failures, 10 slow (ItemCount-weighted error rate 2 %).',
    );
    expect(
      evidenceMarkdown(decideVerification({ looks: [{ atS: 30, requests: 150, failures: 3, slow: 1 }], windowS: 300 }, S)).join('\n'),
    ).not.toContain('sampling');
  });
});
