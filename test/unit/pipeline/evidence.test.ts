/** The issue a release's ending opens: the wording fits the cause, and the statistical evidence is in it. */
import { describe, expect, it } from 'vitest';
import { issueFor } from '../../../src/services/pipeline/evidence.js';
import { decideApps, recordOf } from '../../../src/services/pipeline/telemetry-verdict.js';
import { DEFAULT_VERIFICATION_SETTINGS as S, type Counts } from '../../../src/services/verification/index.js';
import type { Release, VerifyLook } from '../../../src/services/domain/release.js';
import { aRelease, digest, iso } from './world.js';

const URL = 'https://deployer.example/api/deployments/r-test-000001';

function verified(looks: VerifyLook[], baseline?: Counts, windowS = 300) {
  const v = decideApps([{ app: 'tailspin-server', role: 'tailspin-server', looks, baseline }], { windowS, extended: false }, S);
  if (!v) throw new Error('no decision');
  return recordOf(v, { at: iso(looks.at(-1)?.atS ?? 0), from: iso(0), windowS, extended: false });
}

const ended = (phase: Release['phase'], reason: string, outcome: Release['outcome']) =>
  aRelease({
    phase,
    outcome,
    timeline: [
      { at: iso(0), from: null, to: 'queued', reason: 'acr event evt-1', correlationId: 'evt-1' },
      { at: iso(60), from: 'verifying', to: phase, reason, correlationId: 'evt-1' },
    ],
  });

describe('issueFor', () => {
  it('a rollback on telemetry carries the verdict, the rule, one row per sample and the baseline', () => {
    const verification = verified(
      [
        { sample: 1, atS: 30, requests: 150, failures: 4, slow: 0 },
        { sample: 2, atS: 60, requests: 290, failures: 12, slow: 1 },
      ],
      { requests: 1500, failures: 3, slow: 0 },
    );
    const measurements = {
      requests: 290,
      failures: 12,
      errorRate: 12 / 290,
      p95Ms: 180,
      slow: 1,
      at: iso(60),
      from: iso(0),
      thresholds: { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 },
    };
    const baseline = { requests: 1500, failures: 3, errorRate: 0.002, p95Ms: 170, slow: 0, from: iso(-320), to: iso(-20) };
    const issue = issueFor(
      ended('rolled_back', `rolled back to … because ${verification.verdict}`, { verification, measurements, baseline }),
      URL,
    );
    expect(issue.title).toBe(`Rolled back: tailspin-server in dev (${digest(1).slice(0, 19)})`);
    expect(issue.labels).toContain('rollback');
    const body = issue.body.split('\n');
    expect(body).toContain('| error rate | 4.14% | 1.00% | 0.20% |');
    expect(body).toContain('| slower than 2000 ms | 0.34% | 5.00% | 0.00% |');
    expect(body).toContain('### Verification of `tailspin-server` (Application Insights role `tailspin-server`, 300 s window)');
    expect(body).toContain('**Verdict:** error rate 4.1 % (95 % CI 2.4–7.1 %) is above 1 %: rolled back after 2 samples');
    expect(body).toContain(
      '| 2 | 60 s | 290 (+140) | 12 (+8) | 1 (+1) | 4.1 % (2.4–7.1 %) | 12.41 ▲ breach | 0.34 % (0.06–1.9 %) | −21.75 ▼ healthy |',
    );
    expect(body.some((l) => l.startsWith('Baseline before the deploy: 1500 requests;') && l.endsWith('— blame: release.'))).toBe(true);
  });

  it('the version before the deploy was failing too: "Failing before this release", not a rollback', () => {
    const verification = verified([{ sample: 1, atS: 60, requests: 300, failures: 15, slow: 3 }], {
      requests: 1500,
      failures: 75,
      slow: 15,
    });
    expect(verification).toMatchObject({ outcome: 'breach', blame: 'baseline' });
    const issue = issueFor(ended('unverified', verification.verdict, { verification }), URL);
    expect(issue.title).toMatch(/^Failing before this release: tailspin-server in dev/);
    expect(issue.marker).toBe(`tailspin-deployer:baseline:tailspin-server:dev:${digest(1)}`);
    expect(issue.labels).toEqual(['tailspin-deployer', 'baseline-failing', 'app:tailspin-server', 'env:dev']);
    expect(issue.body).toContain("so going back would not help and it is not the release's fault");
    expect(issue.body).toContain('— blame: baseline.');
  });

  it('no requests at all: "No telemetry", naming the role to check', () => {
    const verification = verified([{ sample: 10, atS: 300, requests: 0, failures: 0, slow: 0 }], { requests: 0, failures: 0, slow: 0 });
    const issue = issueFor(ended('unverified', 'no requests …', { verification }), URL);
    expect(issue.title).toMatch(/^No telemetry: tailspin-server in dev/);
    expect(issue.labels).toContain('no-telemetry');
    expect(issue.body).toContain(
      'Not one request from Application Insights role "tailspin-server" reached the workspace, before or after the deploy: tailspin-server is not instrumented, or it reports under another cloud role name (AppRoleName) than "tailspin-server"',
    );
  });

  it('telemetry that could not be read stays an "Unverified release" about the telemetry pipeline', () => {
    const issue = issueFor(
      ended('unverified', 'telemetry unavailable for the whole window', {
        telemetry: { at: iso(300), from: iso(0), error: 'x', failures: 3 },
      }),
      URL,
    );
    expect(issue.title).toMatch(/^Unverified release: /);
    expect(issue.body).toContain('check the telemetry pipeline');
    expect(issue.body).not.toContain('### Verification');
  });
});
