/**
 * The fake's GitHub Actions and teams state for promotion approvals: approval runs with their
 * environment reviews and protection-rule answers, team memberships, and who listens for what GitHub
 * would deliver as webhooks. Served by ./actions.ts.
 */
export interface RunRecord {
  id: number;
  workflow: string;
  ref: string;
  title: string;
  inputs: Record<string, string>;
  createdAt: string;
  reviews: { login: string; state: 'approved' | 'rejected'; comment: string; environment: string; at: string }[];
  /** Answers to the custom deployment protection rule, newest last. */
  gateAnswers: { environment: string; state: string; comment: string; at: string }[];
}

export type ActionsEvent =
  { kind: 'dispatched'; run: RunRecord } | { kind: 'reviewed'; run: RunRecord; review: RunRecord['reviews'][number] };

export class ActionsState {
  runs: RunRecord[] = [];
  /** "org/slug" → login (lowercase) → membership state. */
  teams = new Map<string, Map<string, 'active' | 'pending'>>();
  listeners: ((e: ActionsEvent) => void)[] = [];
  private seq = 7_000_000;

  setTeam(team: string, members: { login: string; state?: 'active' | 'pending' }[]): void {
    this.teams.set(team.toLowerCase(), new Map(members.map((m) => [m.login.toLowerCase(), m.state ?? 'active'])));
  }

  dispatch(workflow: string, ref: string, inputs: Record<string, string>, now: string): RunRecord {
    const run: RunRecord = {
      id: ++this.seq,
      workflow,
      ref,
      title: inputs.promotion ? `tailspin promotion ${inputs.promotion}` : workflow,
      inputs,
      createdAt: now,
      reviews: [],
      gateAnswers: [],
    };
    this.runs.push(run);
    this.emit({ kind: 'dispatched', run });
    return run;
  }

  /** A required reviewer decides in GitHub's UI. */
  review(runId: number, login: string, state: 'approved' | 'rejected', comment: string, now: string): RunRecord | undefined {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) return undefined;
    const review = { login, state, comment, environment: run.inputs.environment ?? '', at: now };
    run.reviews.push(review);
    this.emit({ kind: 'reviewed', run, review });
    return run;
  }

  private emit(e: ActionsEvent): void {
    for (const l of this.listeners) l(e);
  }
}
