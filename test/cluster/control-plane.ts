// A real, throw-away Kubernetes control plane for the cluster adapter's contract tests.
//
// etcd + kube-apiserver + kube-controller-manager + kube-scheduler (built and cached by
// scripts/kube-testbin.sh) plus kwok, which plays the kubelet for one fake node: pods are scheduled
// onto it and become Running/Ready, unless labelled
//   tailspin.dev/sim=unready  -> Running but never Ready (a Deployment hits ProgressDeadlineExceeded)
//   tailspin.dev/sim=crash    -> containers waiting in CrashLoopBackOff, restartCount climbing
// (see scripts/kube-testbin/kwok-stages.yaml).
//
// Everything binds to 127.0.0.1 on free ports and lives in a temp dir that stop() removes. The API
// server's egress towards pods/services/nodes goes through a CONNECT proxy in this process, so the
// fake pod IPs are never dialled on the host network (see ControlPlane.routeEgress).
// Authentication: one static bearer token for an admin in system:masters; authorization is RBAC, so
// other identities (e.g. the deployer's ServiceAccount) are held to real Role/RoleBinding rules.
//
// Only node: built-ins, so it runs under vitest globalSetup or plain `node --experimental-strip-types`.
//
// To run the same tests against a cluster of your own (KUBECONFIG), see clusterForTests() below.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile, appendFile, access, constants } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface ControlPlaneOptions {
  /** Directory holding kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok.
   *  Default: $KUBE_TESTBIN_DIR, else the cache dir scripts/kube-testbin.sh builds into. */
  binDir?: string;
  /** Give up starting after this long (default 120 s; a loaded 2-core machine needs ~20-40 s). */
  deadlineMs?: number;
  /** Keep the temp dir (logs, certs, etcd data) after stop(), for debugging. Also $TAILSPIN_KUBE_KEEP=1. */
  keepDir?: boolean;
  /** Progress messages (default: silent unless $TAILSPIN_KUBE_DEBUG is set). */
  log?: (msg: string) => void;
}

export interface ControlPlane {
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Bearer token of an admin user in group system:masters. */
  token: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  ca: string;
  /** The throw-away directory (component logs are in <dir>/logs). */
  dir: string;
  /** Name of the kwok-managed node pods are scheduled onto. */
  nodeName: string;
  /**
   * The API server reaches pods, services and nodes (service/pod proxy, logs, exec) only through an
   * HTTP CONNECT proxy in this process, so nothing is ever dialled on the host network (pod IPs are
   * fake 10.0.0.x addresses). Unrouted targets get 502, as an unreachable pod would. To let a test
   * serve a pod's traffic, write {"<podIP>:<port>": "127.0.0.1:<localPort>"} to this file (read on
   * every connection, so another process may write it) or call routeEgress().
   */
  egressRoutesPath: string;
  routeEgress(target: string, local: string | undefined): Promise<void>;
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STAGES_FILE = join(REPO_ROOT, 'scripts/kube-testbin/kwok-stages.yaml');
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts/kube-testbin.sh');
export const FAKE_NODE_NAME = 'kwok-node-0';
const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';

/** The binaries directory scripts/kube-testbin.sh fills (its pinned version is read from the script). */
export async function defaultBinDir(): Promise<string> {
  if (process.env.KUBE_TESTBIN_DIR) return process.env.KUBE_TESTBIN_DIR;
  let version = process.env.KUBE_TESTBIN_K8S_VERSION;
  if (!version) {
    const script = await readFile(BUILD_SCRIPT, 'utf8');
    const m = /KUBE_TESTBIN_K8S_VERSION:-(v[0-9.]+)\}/.exec(script);
    if (!m?.[1]) throw new Error(`cannot find the pinned Kubernetes version in ${BUILD_SCRIPT}`);
    version = m[1];
  }
  const cache = process.env.TAILSPIN_CACHE || join(homedir(), '.cache', 'tailspin');
  return join(cache, 'kube-testbin', version);
}

/**
 * For a vitest globalSetup: the cluster to run the contract tests against.
 *
 * By default a local control plane is started. To use a cluster you already have, opt in explicitly
 * (so an ambient $KUBECONFIG pointing at production is never used by accident):
 *   TAILSPIN_TEST_CLUSTER=kubeconfig   use $KUBECONFIG (or ~/.kube/config) and its current context
 *   TAILSPIN_TEST_KUBECONFIG=<path>    use that file (implies the above); TAILSPIN_TEST_KUBE_CONTEXT=<name>
 * `simulated` is false for such clusters: nothing there honours the tailspin.dev/sim labels, so tests
 * that need a pod to stay unready or crash must bring a real failing image or be skipped.
 */
export async function clusterForTests(opts: ControlPlaneOptions = {}): Promise<{
  kubeconfigPath: string;
  context?: string;
  simulated: boolean;
  stop(): Promise<void>;
}> {
  const explicit = process.env.TAILSPIN_TEST_KUBECONFIG;
  if (explicit || process.env.TAILSPIN_TEST_CLUSTER === 'kubeconfig') {
    const kubeconfigPath = explicit || process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
    return {
      kubeconfigPath,
      context: process.env.TAILSPIN_TEST_KUBE_CONTEXT || undefined,
      simulated: false,
      stop: async () => {},
    };
  }
  const plane = await startControlPlane(opts);
  return { kubeconfigPath: plane.kubeconfigPath, simulated: true, stop: () => plane.stop() };
}

interface NodeJson {
  spec?: { taints?: { effect?: string }[] };
  status?: { conditions?: { type?: string; status?: string }[] };
}

interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  exitCode?: number | null;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const deadline = started + (opts.deadlineMs ?? 120_000);
  const log = opts.log ?? (process.env.TAILSPIN_KUBE_DEBUG ? (m: string) => console.error(`[control-plane] ${m}`) : () => {});
  const keepDir = opts.keepDir ?? process.env.TAILSPIN_KUBE_KEEP === '1';
  const binDir = opts.binDir ?? (await defaultBinDir());
  const bin = (name: string) => join(binDir, name);
  for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
    try {
      await access(bin(b), constants.X_OK);
    } catch {
      throw new Error(`${bin(b)} is missing: build the binaries first with scripts/kube-testbin.sh`);
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'tailspin-kube-'));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const procs: Proc[] = [];
  let stopping: Promise<void> | undefined;
  let egress: HttpServer | undefined;
  const egressRoutesPath = join(dir, 'egress-routes.json');
  const routeEgress = async (target: string, local: string | undefined) => {
    const routes = await readRoutes(egressRoutesPath);
    if (local === undefined) delete routes[target];
    else routes[target] = local;
    await writeFile(egressRoutesPath, JSON.stringify(routes, null, 2));
  };

  // A reaper that outlives us: if this process dies without stop() (SIGKILL, a crashed test worker,
  // Ctrl-C), it kills every component's process group and removes the dir, so no API server is left
  // running on a shared machine. It polls our pid once a second; stop() ends it.
  const pgidFile = join(dir, 'pgids');
  await writeFile(pgidFile, '');
  const reaper = spawn(
    '/bin/sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; for g in $(cat "$2"); do kill -KILL -"$g" 2>/dev/null; done; [ "$3" = 1 ] || rm -rf "$4"',
      'tailspin-kube-reaper',
      String(process.pid),
      pgidFile,
      keepDir ? '1' : '0',
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  reaper.unref();

  // Idempotent; a second caller waits for the first stop to finish.
  const stop = (): Promise<void> => (stopping ??= doStop());
  const doStop = async () => {
    // Reverse start order: kwok, scheduler, controller-manager, apiserver, etcd.
    for (const p of [...procs].reverse()) await stopProc(p);
    if (egress) await closeEgress(egress);
    process.off('exit', killAllSync);
    killGroup(reaper, 'SIGKILL');
    if (!keepDir) await rm(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  };
  // A normal exit without stop(): kill the servers at once rather than a second later.
  const killAllSync = () => {
    for (const p of procs) killGroup(p.child, 'SIGKILL');
  };
  process.on('exit', killAllSync);

  const launch = async (name: string, args: string[]): Promise<Proc> => {
    const logFile = join(logs, `${name}.log`);
    const out = createWriteStream(logFile);
    await new Promise((res) => out.once('open', res));
    // detached: its own process group, so stop() can signal the whole group.
    const child = spawn(bin(name), args, { cwd: dir, detached: true, stdio: ['ignore', out, out] });
    const p: Proc = {
      name,
      child,
      logFile,
      exited: new Promise((res) => {
        child.once('exit', (code, signal) => {
          p.exitCode = code ?? (signal ? -1 : null);
          res(p.exitCode);
        });
        child.once('error', (err) => {
          out.write(`spawn error: ${err.message}\n`);
          p.exitCode = -1;
          res(-1);
        });
      }),
    };
    procs.push(p);
    if (child.pid !== undefined) await appendFile(pgidFile, `${child.pid}\n`);
    log(`started ${name} (pid ${child.pid})`);
    return p;
  };

  // Throws (with the component's log tail) when a component died or the deadline passed.
  const check = async (what: string) => {
    for (const p of procs) {
      if (p.exitCode !== undefined) {
        throw new Error(`${p.name} exited (code ${p.exitCode}) while waiting for ${what}:\n${await tail(p.logFile)}`);
      }
    }
    if (Date.now() > deadline) {
      const tails = await Promise.all(procs.map(async (p) => `--- ${p.name}\n${await tail(p.logFile, 15)}`));
      throw new Error(
        `control plane not ready after ${Math.round((Date.now() - started) / 1000)} s (waiting for ${what})\n${tails.join('\n')}`,
      );
    }
  };

  try {
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort] = (await freePorts(5)) as [number, number, number, number, number];
    const token = randomBytes(24).toString('hex');
    const kcmToken = randomBytes(24).toString('hex');
    const schedToken = randomBytes(24).toString('hex');
    const pki = join(dir, 'pki');
    await mkdir(pki);
    await makePki(pki);
    const ca = await readFile(join(pki, 'ca.crt'), 'utf8');
    const server = `https://127.0.0.1:${apiPort}`;

    // Static tokens. The scheduler runs as system:kube-scheduler under the bootstrap RBAC policy a real
    // cluster ships. The controller-manager runs all controllers under its own identity
    // (--use-service-account-credentials=false), which that policy does not cover, so it is a master.
    await writeFile(
      join(dir, 'tokens.csv'),
      [
        `${token},tailspin-admin,tailspin-admin,"system:masters"`,
        `${kcmToken},system:kube-controller-manager,system:kube-controller-manager,"system:masters"`,
        `${schedToken},system:kube-scheduler,system:kube-scheduler`,
      ].join('\n') + '\n',
      { mode: 0o600 },
    );
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(server, ca, 'tailspin-admin', token), { mode: 0o600 });
    await writeFile(join(dir, 'kcm.kubeconfig'), kubeconfig(server, ca, 'kcm', kcmToken), { mode: 0o600 });
    await writeFile(join(dir, 'scheduler.kubeconfig'), kubeconfig(server, ca, 'scheduler', schedToken), { mode: 0o600 });

    await launch('etcd', [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync=true', // throw-away data: durability is not wanted, speed is
      '--log-level=warn',
    ]);
    await waitFor('etcd', deadline, check, async () => (await httpGet(`http://127.0.0.1:${etcdPort}/health`)).status === 200);

    const egressSocket = join(dir, 'egress.sock');
    egress = await startEgressProxy(egressSocket, egressRoutesPath, log);
    await writeFile(
      join(dir, 'egress-selector.json'),
      JSON.stringify({
        apiVersion: 'apiserver.k8s.io/v1beta1',
        kind: 'EgressSelectorConfiguration',
        egressSelections: [
          { name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: egressSocket } } } },
        ],
      }),
    );

    await launch('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The API server would publish 127.0.0.1 as the endpoint of the "kubernetes" Service, which
      // Endpoints validation rejects; nothing in-cluster needs to reach it here.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--profiling=false',
      `--egress-selector-config-file=${join(dir, 'egress-selector.json')}`,
      '--v=1',
    ]);
    const api = { server, ca, token };
    await waitFor('kube-apiserver /readyz', deadline, check, async () => (await kube(api, 'GET', '/readyz')).status === 200);
    log(`kube-apiserver ready at ${server}`);

    await launch('kube-controller-manager', [
      `--kubeconfig=${join(dir, 'kcm.kubeconfig')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'kcm-certs')}`,
      '--controllers=*',
      '--use-service-account-credentials=false',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'ca.crt')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--leader-elect=false',
      '--v=1',
    ]);
    await launch('kube-scheduler', [
      `--kubeconfig=${join(dir, 'scheduler.kubeconfig')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      `--cert-dir=${join(dir, 'scheduler-certs')}`,
      '--leader-elect=false',
      '--v=1',
    ]);
    await launch('kwok', [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${STAGES_FILE}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
      '--node-lease-duration-seconds=40',
      '--node-ip=127.0.0.1',
    ]);

    // The fake node: kwok initialises its status to Ready and heartbeats it.
    const nodeRes = await kube(api, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: FAKE_NODE_NAME,
        annotations: { [FAKE_NODE_ANNOTATION]: 'fake' },
        labels: {
          'kubernetes.io/hostname': FAKE_NODE_NAME,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          type: 'kwok',
        },
      },
      spec: {},
    });
    if (nodeRes.status !== 201) throw new Error(`creating node ${FAKE_NODE_NAME}: ${nodeRes.status} ${nodeRes.body}`);

    // Ready means: a Deployment applied now rolls out. So the node must be Ready and untainted
    // (node-lifecycle controller lifts node.kubernetes.io/not-ready), and the "default"
    // ServiceAccount must exist (the ServiceAccount admission plugin refuses pods without it).
    await waitFor('node Ready and untainted', deadline, check, async () => {
      const r = await kube(api, 'GET', `/api/v1/nodes/${FAKE_NODE_NAME}`);
      if (r.status !== 200) return false;
      const node = JSON.parse(r.body) as NodeJson;
      const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule');
      return ready && taints.length === 0;
    });
    await waitFor('default ServiceAccount', deadline, check, async () => {
      return (await kube(api, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
    });
    log(`control plane ready in ${Math.round((Date.now() - started) / 100) / 10} s (${dir})`);

    return { kubeconfigPath, server, token, ca, dir, nodeName: FAKE_NODE_NAME, egressRoutesPath, routeEgress, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

// ------------------------------------------------------------------------------------------ helpers

async function readRoutes(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** HTTP CONNECT proxy on a unix socket: the API server's only way to the "cluster" network. */
async function startEgressProxy(socketPath: string, routesPath: string, log: (m: string) => void): Promise<HttpServer> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    client.on('error', () => client.destroy());
    void readRoutes(routesPath).then((routes) => {
      const local = routes[target];
      const m = local ? /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d+)$/.exec(local) : null;
      if (!m?.[1] || !m[2]) {
        log(`egress to ${target} refused${local ? ` (route ${local} is not a loopback host:port)` : ' (no route)'}`);
        client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n`);
        return;
      }
      let established = false;
      const upstream = netConnect({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) }, () => {
        established = true;
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => {
        if (established) client.destroy();
        else client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      });
      client.on('close', () => upstream.destroy());
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(socketPath, () => res());
  });
  return server;
}

async function closeEgress(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal); // no such group (yet): the process itself
    } catch {
      /* already gone */
    }
  }
}

async function stopProc(p: Proc) {
  if (p.exitCode !== undefined) return;
  killGroup(p.child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(p.child, 'SIGKILL'), 5_000);
  await p.exited;
  clearTimeout(timer);
}

async function waitFor(what: string, deadline: number, check: (what: string) => Promise<void>, probe: () => Promise<boolean>) {
  for (let interval = 100; ; interval = Math.min(interval * 2, 1_000)) {
    await check(what);
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()) + 10)));
  }
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function freePorts(n: number): Promise<number[]> {
  // Hold every socket open until all are chosen so the ports are distinct.
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      return new Promise<Server>((res, rej) => {
        const s = createServer();
        s.once('error', rej);
        s.listen(0, '127.0.0.1', () => res(s));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function openssl(cwd: string, ...args: string[]) {
  try {
    await execFileP('openssl', args, { cwd });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr || (err as Error).message;
    throw new Error(`openssl ${args.join(' ')} failed: ${detail}`, { cause: err });
  }
}

/** A CA, the API server's serving cert (127.0.0.1/localhost/kubernetes.*), and the SA signing key pair. */
async function makePki(pki: string) {
  await openssl(
    pki,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=tailspin-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const san = [
    'IP:127.0.0.1',
    `IP:${SERVICE_IP}`,
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  await writeFile(
    join(pki, 'apiserver.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    pki,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'apiserver.key',
    '-out',
    'apiserver.csr',
    '-subj',
    '/CN=kube-apiserver',
  );
  await openssl(
    pki,
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'apiserver.crt',
    '-days',
    '2',
    '-extfile',
    'apiserver.ext',
  );
  await openssl(pki, 'genrsa', '-out', 'sa.key', '2048');
  await openssl(pki, 'rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

function kubeconfig(server: string, ca: string, user: string, token: string): string {
  // JSON is valid YAML; kubectl, client-go and @kubernetes/client-node all read it.
  return (
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'tailspin-test', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: 'tailspin-test', context: { cluster: 'tailspin-test', user, namespace: 'default' } }],
        'current-context': 'tailspin-test',
      },
      null,
      2,
    ) + '\n'
  );
}

interface Api {
  server: string;
  ca: string;
  token: string;
}

function kube(api: Api, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, api.server),
      {
        method,
        ca: api.ca,
        timeout: 5_000,
        headers: {
          authorization: `Bearer ${api.token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function httpGet(url: string): Promise<{ status: number }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
