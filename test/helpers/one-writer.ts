/**
 * "One writer per Deployment", checked from the two records that do not depend on when a tick
 * started: the storage's own commit times (each timeline row's server Timestamp, written in the
 * same transaction as the phase change it records) and the cluster's record of who changed each
 * Deployment (the fake's writes, attributed by the deployer's writer token). Per app, the spans from
 * the commit of `deploying` to the commit of the end must not overlap, and every change a release
 * made to its Deployment must fall inside its own span.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { TableClient } from '@azure/data-tables';
import { parse } from 'yaml';
import { isTerminal, type Phase } from '../../src/services/domain/release.js';
import { unpackJson } from '../../src/services/adapters/storage/entities.js';
import type { DeploymentWrite } from '../../src/sandbox/kubernetes/writes.js';

export interface HoldSpan {
  id: string;
  app: string;
  /** Commit time (ms) of entering deploying. */
  from: number;
  /** Commit time (ms) of the end; absent while the release runs. */
  to?: number;
}

/** Every release's span of holding its Deployment, read straight from the releases table. */
export async function holdSpans(connectionString: string, table = 'tailspinReleases'): Promise<Map<string, HoldSpan>> {
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  const releases = new Map<string, { id: string; app: string }>();
  const entries: { key: string; at: number; to: string }[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>({
    queryOptions: { filter: "type eq 'release' or type eq 'timeline'" },
  })) {
    const pk = String(e.partitionKey);
    const rk = String(e.rowKey);
    if (e.type === 'release') releases.set(`${pk}\n${rk}`, { id: String(e.releaseId), app: pk.split('|')[0] ?? '' });
    else {
      const entry = unpackJson(e) as { to: string };
      entries.push({ key: `${pk}\n${rk.slice(0, rk.lastIndexOf('~'))}`, at: Date.parse(String(e.timestamp)), to: entry.to });
    }
  }
  const spans = new Map<string, HoldSpan>();
  for (const { key, at, to } of entries.sort((a, b) => a.at - b.at)) {
    const r = releases.get(key);
    if (!r) continue;
    const span = spans.get(r.id);
    if (to === 'deploying' && !span) spans.set(r.id, { id: r.id, app: r.app, from: at });
    else if (span && isTerminal(to as Phase)) span.to = at;
  }
  return spans;
}

/** What breaks the rule, in words (empty when it holds). `deploymentOf` names an app's Deployment as namespace/name. */
export function oneWriterViolations(
  spans: Map<string, HoldSpan>,
  writes: DeploymentWrite[],
  deploymentOf: (app: string) => string,
): string[] {
  const out: string[] = [];
  const byApp = new Map<string, HoldSpan[]>();
  for (const s of spans.values()) byApp.set(s.app, [...(byApp.get(s.app) ?? []), s]);
  for (const [app, list] of byApp)
    for (const a of list)
      for (const b of list)
        if (a.id < b.id && a.from < (b.to ?? Infinity) && b.from < (a.to ?? Infinity))
          out.push(`${app}: ${a.id} and ${b.id} held the Deployment at the same time`);
  for (const w of writes) {
    if (!w.writer) continue;
    const id = w.writer.slice(0, w.writer.lastIndexOf('/'));
    const span = spans.get(id);
    const where = `${w.namespace}/${w.name}`;
    if (!span) out.push(`${where}: changed by ${w.writer}, a release that never held it`);
    else if (deploymentOf(span.app) !== where) out.push(`${where}: changed by ${w.writer}, a release of ${span.app}`);
    else if (w.at < span.from || (span.to !== undefined && w.at > span.to))
      out.push(`${where}: changed by ${w.writer} at ${new Date(w.at).toISOString()}, outside its hold`);
  }
  return out;
}

/** The Kubernetes fake's record of Deployment changes, from the kubeconfig the hosts were given (`GET /_sandbox/writes`). */
export async function sandboxWrites(kubeconfigPath: string): Promise<DeploymentWrite[]> {
  const kc = parse(await readFile(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  };
  const cluster = kc.clusters[0]?.cluster;
  if (!cluster) throw new Error(`${kubeconfigPath}: no cluster`);
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    const req = request(new URL('/_sandbox/writes', cluster.server), { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/_sandbox/writes answered ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeploymentWrite[]);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface OneWriterReport {
  violations: string[];
  /** How much was checked: releases that held a Deployment, and the deployer's changes the cluster recorded. */
  spans: number;
  writes: number;
}

/** The check for hosts that share `shared` (src/local/cluster.ts sharedSettings): storage and the sandbox's kubeconfig. */
export async function oneWriterCheck(shared: Record<string, string>, deploymentOf: (app: string) => string): Promise<OneWriterReport> {
  const storage = shared.AzureWebJobsStorage;
  const kubeconfig = shared.KUBECONFIG;
  if (!storage || !kubeconfig) throw new Error('one-writer check: AzureWebJobsStorage and KUBECONFIG are needed');
  const [spans, writes] = await Promise.all([holdSpans(storage), sandboxWrites(kubeconfig)]);
  return {
    violations: oneWriterViolations(spans, writes, deploymentOf),
    spans: spans.size,
    writes: writes.filter((w) => w.writer).length,
  };
}
