// The scripts the workflows run, run here: the plan summary and digest the apply job compares, and the
// health wait that decides whether a publish is rolled back (against a real HTTP server on loopback).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script without types
import { changes, digest, kindOf, markdown } from '../../scripts/plan-summary.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `terraform show -json` output, trimmed to the fields the summary reads (Terraform's JSON output format). */
const plan = (rcs: [string, string[]][], outputs: Record<string, string[]> = {}) => ({
  format_version: '1.2',
  terraform_version: '1.11.4',
  resource_changes: rcs.map(([address, actions]) => ({ address, mode: 'managed', change: { actions, before: null, after: {} } })),
  output_changes: Object.fromEntries(Object.entries(outputs).map(([k, actions]) => [k, { actions }])),
});

describe('plan-summary.mjs', () => {
  const p = plan([
    ['module.monitoring.azurerm_log_analytics_workspace.this', ['update']],
    ['module.pipeline.azurerm_user_assigned_identity.this["plan"]', ['create']],
    ['module.aks.azurerm_kubernetes_cluster.this', ['no-op']],
    ['data.azurerm_client_config.current', ['read']],
    ['module.functionapp.azurerm_resource_group_template_deployment.app_settings', ['delete', 'create']],
    ['module.acr.azurerm_container_registry.old', ['delete']],
  ]);

  it('reads Terraform actions as people say them', () => {
    expect(kindOf(['delete', 'create'])).toBe('replace');
    expect(kindOf(['create', 'delete'])).toBe('replace');
    expect(kindOf(['no-op'])).toBe('no-op');
    expect(changes(p).map((c: { kind: string }) => c.kind)).toEqual(['delete', 'replace', 'update', 'create']);
  });

  it('summarises counts, warns about destroys first, and escapes addresses for the table', () => {
    const md = markdown(p, 'prod') as string;
    expect(md).toContain('### Terraform plan: prod');
    expect(md).toContain('**1 to add, 1 to change, 1 to replace, 1 to destroy.**');
    expect(md).toContain('> [!WARNING]');
    expect(md.indexOf('🔴 destroy')).toBeLessThan(md.indexOf('🟢 create'));
    expect(md).not.toContain('azurerm_kubernetes_cluster');
    expect(markdown(plan([['a.b', ['no-op']]])) as string).toContain('No changes.');
  });

  it('the digest changes with any change to the plan and with nothing else', () => {
    const d = digest(p) as string;
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(plan([...p.resource_changes.map((r) => [r.address, r.change.actions] as [string, string[]])].reverse()))).toBe(d);
    expect(digest(plan([['x.y', ['create']]]))).not.toBe(digest(plan([['x.y', ['update']]])));
    expect(digest(plan([], { url: ['update'] }))).not.toBe(digest(plan([])));
  });
});

// ---------------------------------------------------------------- wait-healthy.mjs

let server: Server | undefined;
afterEach(() => server?.close());

/** A /api/health that answers from a script of responses, the last one forever. */
async function healthServer(answers: { status: number; body: string }[]): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    const a = answers[Math.min(n++, answers.length - 1)]!;
    res.writeHead(req.url === '/api/health' ? a.status : 404, { 'content-type': 'application/json' }).end(a.body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n };
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/wait-healthy.mjs', ...args], { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const body = (status: string) => JSON.stringify({ status, version: '0.1.0', uptimeSeconds: 1, dependencies: [] });

describe('wait-healthy.mjs', () => {
  it('waits through 503 and "degraded" until the deployer is up', async () => {
    const s = await healthServer([
      { status: 503, body: body('down') },
      { status: 200, body: body('degraded') },
      { status: 200, body: body('up') },
    ]);
    const r = await run([s.url, '--deadline', '20', '--interval', '0.05']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('healthy after 3 attempt(s)');
    expect(s.hits()).toBe(3);
  });

  it('fails at the deadline with the last answer, so the workflow rolls back', async () => {
    const s = await healthServer([{ status: 200, body: body('degraded') }]);
    const r = await run([s.url, '--deadline', '0.3', '--interval', '0.05']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('not healthy by the deadline');
    expect(r.out).toContain('status=degraded');
  });

  it('accepts "degraded" only when asked, and a non-JSON 200 never', async () => {
    const s = await healthServer([{ status: 200, body: body('degraded') }]);
    expect((await run([s.url, '--deadline', '5', '--interval', '0.05', '--accept-degraded'])).code).toBe(0);
    server!.close();
    const t = await healthServer([{ status: 200, body: '<html>default page</html>' }]);
    expect((await run([t.url, '--deadline', '0.2', '--interval', '0.05'])).code).toBe(1);
  });

  it('refuses bad arguments with exit 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['example.com'])).code).toBe(2);
    expect((await run(['http://127.0.0.1:1', '--deadline', 'soon'])).code).toBe(2);
  });
});
