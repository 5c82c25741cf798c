#!/usr/bin/env node
// A Terraform plan for people: reads `terraform show -json <planfile>` (Terraform's JSON output
// format: resource_changes[].change.actions) and prints a Markdown summary — counts, then every
// change by address, deletions and replacements first. `--digest` prints only a SHA-256 of the
// sorted "actions address" lines: the apply job re-plans and refuses to apply when the digest
// differs from the plan the reviewers saw (plan files hold secrets, so they are not passed on).
//   terraform show -json tfplan | node scripts/plan-summary.mjs [--digest] [--title "dev"]
/* global process */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const title = args.includes('--title') ? args[args.indexOf('--title') + 1] : undefined;

/** One of create, update, delete, replace, read, no-op from Terraform's actions list. */
export function kindOf(actions) {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  return actions[0] ?? 'no-op';
}

/** The changes that matter, sorted so equal plans give equal lines. */
export function changes(plan) {
  return (plan.resource_changes ?? [])
    .map((rc) => ({ address: rc.address, kind: kindOf(rc.change?.actions ?? []) }))
    .filter((c) => c.kind !== 'no-op' && c.kind !== 'read')
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export function digest(plan) {
  const lines = changes(plan).map((c) => `${c.kind} ${c.address}`);
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, o]) => !(o.actions ?? []).includes('no-op'))
    .map(([name, o]) => `${kindOf(o.actions ?? [])} output.${name}`)
    .sort();
  return createHash('sha256')
    .update([...lines, ...outputs].join('\n'))
    .digest('hex');
}

const ORDER = ['delete', 'replace', 'update', 'create'];
const ICON = { delete: '🔴 destroy', replace: '🟠 replace', update: '🟡 update', create: '🟢 create' };

export function markdown(plan, heading) {
  const all = changes(plan);
  const count = (k) => all.filter((c) => c.kind === k).length;
  const out = [`### Terraform plan${heading ? `: ${heading}` : ''}`, ''];
  if (all.length === 0) {
    out.push('No changes. The infrastructure matches the configuration.');
  } else {
    out.push(
      `**${count('create')} to add, ${count('update')} to change, ${count('replace')} to replace, ${count('delete')} to destroy.**`,
      '',
    );
    if (count('delete') + count('replace') > 0)
      out.push('> [!WARNING]', '> This plan destroys or replaces resources: read them before approving.', '');
    out.push('| change | resource |', '|---|---|');
    for (const k of ORDER)
      for (const c of all.filter((x) => x.kind === k)) out.push(`| ${ICON[k]} | \`${c.address.replace(/\|/g, '\\|')}\` |`);
  }
  out.push('', `Plan digest: \`${digest(plan).slice(0, 16)}\` (the apply re-plans and stops if this changes).`);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(readFileSync(0, 'utf8'));
  process.stdout.write(`${args.includes('--digest') ? digest(plan) : markdown(plan, title)}\n`);
}
