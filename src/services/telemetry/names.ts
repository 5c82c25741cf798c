/**
 * Every instrument the deployer reports, with its unit and meaning. The standing alerts
 * (infra/modules/alerts) and the workbook (infra/modules/workbook) query these names in AppMetrics;
 * test/iac holds them to this table.
 */
export const COUNTERS = {
  'tailspin.releases.completed': {
    unit: '{release}',
    description: 'Releases that reached a terminal phase, by app, environment, kind and outcome.',
  },
} as const;

export const HISTOGRAMS = {
  'tailspin.release.phase.duration': {
    unit: 's',
    description: 'Time a release spent in a phase, by the phase it left and the one it entered.',
  },
  'tailspin.release.push_to_verified': {
    unit: 's',
    description: 'From the event that created a release (push, image push, manual request) to verified (succeeded).',
  },
  'tailspin.scan.duration': { unit: 's', description: 'Time in the scan gate (Trivy run or cached verdict), by verdict.' },
  'tailspin.queue.lag': {
    unit: 's',
    description: 'How late a pipeline tick ran after the release was due (queue delivery and worker lag).',
  },
  'tailspin.webhook.ack.duration': {
    unit: 'ms',
    description: "Time to acknowledge a GitHub delivery (dedup, persist, enqueue), by the intake's answer.",
  },
  'tailspin.notifications.pending': {
    unit: '{notice}',
    description: 'GitHub notices (status, deployment, issue) a finished release still has to send after each delivery attempt.',
  },
} as const;

export type CounterName = keyof typeof COUNTERS;
export type HistogramName = keyof typeof HISTOGRAMS;
