import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { basename, join } from 'node:path';
import { type Connection, call, healthy, loadConnection } from './api.ts';
import {
  assertBinaries,
  type BuildOptions,
  buildControlPlane,
  controlPlaneBinaries,
  formatElapsed,
  kubernetesVersion,
  resolveBinDir,
} from './binaries.ts';
import {
  createClusterObjects,
  defaultNodeShape,
  type FakeNodeShape,
  nodeNames,
  pollUntil,
  readiness,
} from './bootstrap.ts';
import { type ClientIdentity, ensurePki, type Pki, pkiFiles } from './certs.ts';
import {
  type ComponentContext,
  type ComponentName,
  componentArgs,
  componentKubeconfigs,
  componentOrder,
  type Ports,
  portNames,
} from './components.ts';
import { LocalClusterError } from './errors.ts';
import { contextName, writeKubeconfig } from './kubeconfig.ts';
import { kwokStageFiles, type Layout, type LocationOptions, layout, resolveStateDir } from './paths.ts';
import { assertPortFree, freePort, loopback } from './ports.ts';
import {
  isAlive,
  processesReferencing,
  rssBytes,
  type Spawned,
  spawnDetached,
  stopProcess,
  tail,
} from './processes.ts';
import {
  acquireLock,
  logFile,
  readPidFile,
  readState,
  type StateFile,
  writePidFile,
  writeState,
} from './state.ts';

export type { ComponentName, Ports } from './components.ts';

export type ProgressFn = (message: string) => void;

export interface LocalClusterOptions extends LocationOptions {
  /** Receives one human-readable line per step. Core functions never print. */
  onProgress?: ProgressFn;
}

export interface UpOptions extends LocalClusterOptions {
  /** Directory with the control plane binaries. Default: $BERTH_CONTROL_PLANE_BIN_DIR, else the build cache. */
  binDir?: string;
  /**
   * Build the binaries when they are missing (cluster/build.sh, 5–10 minutes on a cold machine)
   * instead of failing. `true`, or build settings: `onProgress` (default: the `onProgress` above),
   * `script` (a stand-in for cluster/build.sh), `progressIntervalMs`. Default false. The build has
   * no time limit of its own and does not count against `timeoutMs`; abort `signal` to stop it.
   */
  build?: boolean | Omit<BuildOptions, 'signal'>;
  /** Fixed ports; the others are picked free. A fixed port that is taken fails with PORT_IN_USE. */
  ports?: Partial<Ports>;
  /** Number of fake (kwok) Nodes. Default 3. */
  nodes?: number;
  /** Allocatable resources of each fake Node. Default cpu 32, memory 256Gi, pods 110. */
  nodeShape?: Partial<FakeNodeShape>;
  /** fsync etcd writes. Default false (faster; a machine crash may lose the cluster's data). */
  durable?: boolean;
  /** Give up when the cluster is not ready this long after its binaries are there (a build is not counted). Default 120 000 ms. */
  timeoutMs?: number;
  /** Aborting stops a running build, or the start (stopping what it started); `up` then throws INTERRUPTED. */
  signal?: AbortSignal;
}

export interface ComponentStatus {
  name: ComponentName;
  pid?: number;
  running: boolean;
  /** Resident memory in bytes, when running. */
  rssBytes?: number;
  /** 127.0.0.1 port the component serves on, if any (kwok has none). */
  port?: number;
  log: string;
}

export interface ClusterInfo {
  name: string;
  stateDir: string;
  /** Admin kubeconfig (context `berth-local`, client certificate in group system:masters). */
  kubeconfig: string;
  context: string;
  /** https://127.0.0.1:<port> */
  server: string;
  kubernetesVersion: string;
  binDir: string;
  ports: Ports;
  nodes: string[];
  components: ComponentStatus[];
  /** True when `up` found the cluster running and did nothing. */
  alreadyRunning: boolean;
  /** Milliseconds from the start of the processes (after any build) to each milestone (absent when already running). */
  timings?: { etcdReady: number; apiserverReady: number; nodesReady: number; ready: number };
  /** Milliseconds `up` spent building the binaries, when it had to build them. */
  buildMs?: number;
}

export interface ClusterStatus {
  name: string;
  stateDir: string;
  /** A state dir with a state file exists. */
  exists: boolean;
  /** Every component runs and the API server answers /readyz. */
  running: boolean;
  apiserverReady: boolean;
  kubeconfig?: string;
  server?: string;
  ports?: Ports;
  components: ComponentStatus[];
}

export interface DownResult {
  name: string;
  stateDir: string;
  /** There was something to stop or remove. */
  existed: boolean;
  stopped: { name: string; pid: number }[];
}

const componentPort = (name: ComponentName, ports: Ports): number | undefined =>
  ({
    etcd: ports.etcd,
    'kube-apiserver': ports.apiserver,
    'kube-controller-manager': ports.controllerManager,
    'kube-scheduler': ports.scheduler,
    kwok: undefined,
  })[name];

function clusterName(options: LocationOptions, stateDir: string): string {
  return options.stateDir ? basename(stateDir) : (options.name ?? 'default');
}

/** Path of the admin kubeconfig `up` writes (whether or not the cluster runs). */
export function kubeconfigPath(options: LocationOptions = {}): string {
  return layout(resolveStateDir(options)).kubeconfig;
}

async function componentStatuses(lay: Layout, ports: Ports | undefined): Promise<ComponentStatus[]> {
  return Promise.all(
    componentOrder.map(async (name) => {
      const recorded = await readPidFile(lay, name);
      const running = recorded !== undefined && isAlive(recorded.pid, recorded.bin);
      const status: ComponentStatus = { name, running, log: logFile(lay, name) };
      if (recorded) status.pid = recorded.pid;
      if (running && recorded) {
        const rss = rssBytes(recorded.pid);
        if (rss !== undefined) status.rssBytes = rss;
      }
      const port = ports ? componentPort(name, ports) : undefined;
      if (port !== undefined) status.port = port;
      return status;
    }),
  );
}

async function adminConnection(lay: Layout, server: string): Promise<Connection> {
  const pki = pkiFiles(lay.pkiDir);
  return loadConnection(server, pki.ca.cert, pki.clients.admin);
}

/** Which components run (live pid + API server /readyz), ports and kubeconfig path. Never throws for a missing cluster. */
export async function status(options: LocalClusterOptions = {}): Promise<ClusterStatus> {
  const stateDir = resolveStateDir(options);
  const lay = layout(stateDir);
  const name = clusterName(options, stateDir);
  const state = await readState(lay);
  const components = await componentStatuses(lay, state?.ports);
  if (!state) return { name, stateDir, exists: false, running: false, apiserverReady: false, components };
  let apiserverReady = false;
  if (components.find((c) => c.name === 'kube-apiserver')?.running) {
    try {
      apiserverReady = await healthy(await adminConnection(lay, state.server), '/readyz');
    } catch {
      apiserverReady = false;
    }
  }
  return {
    name,
    stateDir,
    exists: true,
    running: apiserverReady && components.every((c) => c.running),
    apiserverReady,
    kubeconfig: lay.kubeconfig,
    server: state.server,
    ports: state.ports,
    components,
  };
}

function etcdHealthy(port: number): Promise<boolean> {
  return new Promise((resolveHealth) => {
    const req = httpRequest(
      { host: loopback, port, path: '/health', timeout: 1_000, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        res.on('end', () => resolveHealth(res.statusCode === 200 && body.includes('"health":"true"')));
        res.on('error', () => resolveHealth(false));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveHealth(false));
    req.end();
  });
}

async function choosePorts(requested: Partial<Ports>, previous: Ports | undefined): Promise<Ports> {
  const chosen: Partial<Ports> = {};
  const taken = new Set<number>();
  for (const key of portNames) {
    const fixed = requested[key];
    if (fixed !== undefined) {
      await assertPortFree(fixed, key);
      chosen[key] = fixed;
      taken.add(fixed);
    }
  }
  for (const key of portNames) {
    if (chosen[key] !== undefined) continue;
    let port: number | undefined;
    const old = previous?.[key];
    if (old !== undefined && !taken.has(old)) {
      try {
        await assertPortFree(old, key);
        port = old; // keep a restarted cluster's ports (etcd remembers its peer URL)
      } catch {
        port = undefined;
      }
    }
    while (port === undefined || taken.has(port)) port = await freePort();
    chosen[key] = port;
    taken.add(port);
  }
  return chosen as Ports;
}

/** Builds a LocalClusterError for a component that exited while `up` waited. */
async function exitedError(lay: Layout, spawned: Spawned): Promise<LocalClusterError> {
  const log = logFile(lay, spawned.name as ComponentName);
  const { code, signal } = await spawned.exited;
  const lastLines = await tail(log, 25);
  if (/address already in use|bind: permission denied/i.test(lastLines)) {
    return new LocalClusterError(
      'PORT_IN_USE',
      `${spawned.name} could not listen on its port (exit ${code ?? signal}); last lines of ${log}:\n${lastLines}`,
      'another process took the port: run `up` again (it picks new free ports) or free the port',
    );
  }
  return new LocalClusterError(
    'COMPONENT_EXITED',
    `${spawned.name} exited early (${signal ? `signal ${signal}` : `exit code ${code}`}); last lines of ${log}:\n${lastLines}`,
    `read ${log}; \`down\` removes the state (including etcd data) for a fresh start`,
  );
}

/** Stops every component recorded in the pid files (and strays found by command line), newest first. */
async function stopAll(
  lay: Layout,
  graceMs: number,
  progress: ProgressFn,
): Promise<{ name: string; pid: number }[]> {
  const stopped: { name: string; pid: number }[] = [];
  const failures: string[] = [];
  const stopOne = async (name: string, pid: number, bin?: string) => {
    if (!isAlive(pid, bin)) return;
    const gone = await stopProcess(pid, bin === undefined ? { graceMs } : { bin, graceMs });
    if (gone) {
      stopped.push({ name, pid });
      progress(`stopped ${name} (pid ${pid})`);
    } else failures.push(`${name} (pid ${pid})`);
  };
  const reverse = [...componentOrder].reverse();
  const clients = reverse.filter((n) => n !== 'kube-apiserver' && n !== 'etcd');
  const recorded = async (name: ComponentName) => ({ name, rec: await readPidFile(lay, name) });
  // Clients of the API server first, together; then the API server; then etcd.
  await Promise.all(
    (await Promise.all(clients.map(recorded))).map(({ name, rec }) =>
      rec ? stopOne(name, rec.pid, rec.bin) : undefined,
    ),
  );
  for (const name of ['kube-apiserver', 'etcd'] as const) {
    const { rec } = await recorded(name);
    if (rec) await stopOne(name, rec.pid, rec.bin);
  }
  for (const pid of processesReferencing(lay.stateDir, controlPlaneBinaries)) await stopOne('stray', pid);
  const left = processesReferencing(lay.stateDir, controlPlaneBinaries);
  if (failures.length > 0 || left.length > 0) {
    throw new LocalClusterError(
      'STOP_FAILED',
      `could not stop ${[...failures, ...left.map((p) => `pid ${p}`)].join(', ')}`,
      'kill them by pid (kill -9 <pid>), then run down again',
    );
  }
  return stopped;
}

/** Host directories of hostPath PVs the controller-manager provisioned (under /tmp/hostpath_pv). */
async function provisionedHostPaths(conn: Connection): Promise<string[]> {
  try {
    const res = await call(conn, 'GET', '/api/v1/persistentvolumes', undefined, 3_000);
    if (res.status !== 200) return [];
    const list = JSON.parse(res.body) as { items?: { spec?: { hostPath?: { path?: string } } }[] };
    return (list.items ?? [])
      .map((pv) => pv.spec?.hostPath?.path ?? '')
      .filter((p) => /^\/tmp\/hostpath_pv\/[0-9a-f-]+$/.test(p));
  } catch {
    return [];
  }
}

/**
 * Stops every process of the cluster (SIGTERM, then SIGKILL after a few seconds), checks none is
 * left, and removes the state dir (etcd data included). A cluster that does not exist is a no-op.
 */
export async function down(options: LocalClusterOptions = {}): Promise<DownResult> {
  const stateDir = resolveStateDir(options);
  const lay = layout(stateDir);
  const name = clusterName(options, stateDir);
  const progress = options.onProgress ?? (() => {});
  const state = await readState(lay);
  if (!existsSync(stateDir)) return { name, stateDir, existed: false, stopped: [] };

  let hostPaths: string[] = [];
  if (state) {
    try {
      hostPaths = await provisionedHostPaths(await adminConnection(lay, state.server));
    } catch {
      hostPaths = [];
    }
  }
  progress(`stopping local cluster ${name}`);
  const stopped = await stopAll(lay, 5_000, progress);
  await Promise.all(hostPaths.map((p) => rm(p, { recursive: true, force: true })));
  await rm(stateDir, { recursive: true, force: true });
  progress(`removed ${stateDir}`);
  return { name, stateDir, existed: true, stopped };
}

/**
 * Starts the local control plane (etcd → kube-apiserver → controller-manager, scheduler, kwok),
 * creates the fake Nodes and the default StorageClass, waits for the `default` ServiceAccount,
 * and returns while the processes keep running detached. A running cluster is returned as is.
 */
export async function up(options: UpOptions = {}): Promise<ClusterInfo> {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const progress = options.onProgress ?? (() => {});
  const stateDir = resolveStateDir(options);
  const lay = layout(stateDir);
  const name = clusterName(options, stateDir);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const signal = options.signal;
  const interrupted = () =>
    new LocalClusterError(
      'INTERRUPTED',
      `starting local cluster ${name} was interrupted`,
      '`up` again restarts it (data kept); `down` removes it',
    );

  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const release = await acquireLock(lay);
  const spawned: Spawned[] = [];
  try {
    const previous = await readState(lay);
    if (previous) {
      const current = await status(options);
      if (current.running) {
        progress(`local cluster ${name} is already running at ${previous.server}`);
        return {
          name,
          stateDir,
          kubeconfig: lay.kubeconfig,
          context: contextName,
          server: previous.server,
          kubernetesVersion: previous.kubernetesVersion,
          binDir: previous.binDir,
          ports: previous.ports,
          nodes: previous.nodes,
          components: current.components,
          alreadyRunning: true,
        };
      }
      progress(`local cluster ${name} is not fully running: restarting it (data kept)`);
      await stopAll(lay, 3_000, progress);
    }

    // Certificates first: a missing openssl fails now, not after a build of several minutes.
    const pki: Pki = await ensurePki(lay.pkiDir);

    // Binaries. A build takes minutes on a cold machine: it runs before, and apart from, the start time-out.
    const buildSettings = typeof options.build === 'object' ? options.build : {};
    const script = buildSettings.script;
    let binDir = await resolveBinDir({
      ...(options.binDir === undefined ? {} : { binDir: options.binDir }),
      ...(script === undefined ? {} : { script }),
    });
    let buildMs: number | undefined;
    try {
      await assertBinaries(binDir);
    } catch (err) {
      if (!options.build) throw err;
      const buildStart = Date.now();
      const report = buildSettings.onProgress ?? progress;
      report(
        'control plane binaries missing: building them once from upstream Go modules (about 5–10 minutes, then cached; Ctrl-C stops it)',
      );
      binDir = (
        await buildControlPlane({ ...buildSettings, onProgress: report, ...(signal ? { signal } : {}) })
      ).binDir;
      await assertBinaries(binDir);
      buildMs = Date.now() - buildStart;
      report(`control plane built in ${formatElapsed(buildMs)}; starting it`);
    }
    if (signal?.aborted) throw interrupted();

    // The start time-out counts from here.
    const t0 = Date.now();
    const since = () => Date.now() - t0;
    const deadline = t0 + timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const bins = Object.fromEntries(controlPlaneBinaries.map((b) => [b, join(binDir, b)])) as Record<
      ComponentName,
      string
    >;

    // Files: ports, kubeconfigs, kwok stages.
    for (const dir of [lay.logsDir, lay.pidsDir, lay.configDir, lay.etcdDataDir])
      await mkdir(dir, { recursive: true, mode: 0o700 });
    const ports = await choosePorts(options.ports ?? {}, previous?.ports);
    const server = `https://${loopback}:${ports.apiserver}`;
    const kubeconfigs = componentKubeconfigs(lay);
    const users: [string, ClientIdentity, string][] = [
      [lay.kubeconfig, 'admin', 'berth-admin'],
      [kubeconfigs.controllerManager, 'controllerManager', 'kube-controller-manager'],
      [kubeconfigs.scheduler, 'scheduler', 'kube-scheduler'],
      [kubeconfigs.kwok, 'kwok', 'kwok'],
    ];
    await Promise.all(
      users.map(([path, id, user]) =>
        writeKubeconfig(path, { server, caFile: pki.ca.cert, client: pki.clients[id], user }),
      ),
    );
    const kwokStages = await Promise.all(
      kwokStageFiles.map(async (file) => {
        const target = join(lay.configDir, `kwok-stages-${basename(file)}`);
        await copyFile(file, target);
        return target;
      }),
    );
    const nodes = nodeNames(options.nodes ?? 3);
    const shape: FakeNodeShape = { ...defaultNodeShape, ...options.nodeShape };
    const state: StateFile = {
      schema: 1,
      name,
      binDir,
      kubernetesVersion,
      server,
      ports,
      nodes,
      startedAt: new Date(t0).toISOString(),
    };
    await writeState(lay, state);
    const ctx: ComponentContext = {
      layout: lay,
      pki,
      ports,
      kubeconfigs,
      kwokStages,
      durable: options.durable ?? false,
    };

    // Processes; any of them exiting while we wait fails `up` with its log.
    let exited: Spawned | undefined;
    const start = async (component: ComponentName): Promise<void> => {
      const bin = bins[component];
      const s = await spawnDetached({
        name: component,
        bin,
        args: componentArgs(component, ctx),
        logFile: logFile(lay, component),
        cwd: stateDir,
      });
      await writePidFile(lay, component, s.pid, bin);
      spawned.push(s);
      void s.exited.then(() => {
        exited ??= s;
      });
      const port = componentPort(component, ports);
      progress(`started ${component} (pid ${s.pid}${port ? `, 127.0.0.1:${port}` : ''})`);
    };
    const waitFor = async (what: string, check: () => Promise<boolean>, intervalMs = 100): Promise<void> => {
      const result = await pollUntil(
        check,
        remaining(),
        intervalMs,
        () => exited !== undefined || signal?.aborted === true,
      );
      if (exited) throw await exitedError(lay, exited);
      if (signal?.aborted) throw interrupted();
      if (!result.ok) {
        const cause = result.lastError instanceof Error ? ` (last error: ${result.lastError.message})` : '';
        throw new LocalClusterError(
          'START_TIMEOUT',
          `local cluster did not become ready in ${secs(timeoutMs)}: still waiting for ${what}${cause}`,
          `read the logs in ${lay.logsDir}; \`down\` then \`up\` starts afresh`,
        );
      }
    };

    await start('etcd');
    await waitFor('etcd /health', () => etcdHealthy(ports.etcd), 50);
    const etcdReady = since();
    progress(`etcd ready (${secs(etcdReady)})`);

    await start('kube-apiserver');
    const admin = await loadConnection(server, pki.ca.cert, pki.clients.admin);
    await waitFor('kube-apiserver /readyz', () => healthy(admin, '/readyz'));
    const apiserverReady = since();
    progress(`kube-apiserver ready at ${server} (${secs(apiserverReady)})`);

    for (const component of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const)
      await start(component);
    await createClusterObjects(admin, nodes, shape);
    progress(`created ${nodes.length} fake nodes and the default StorageClass`);
    await waitFor('the fake nodes to be Ready (kwok)', readiness.nodes(admin, nodes), 200);
    const nodesReady = since();
    progress(`nodes ready (${secs(nodesReady)})`);
    const health = (port: number) =>
      loadConnection(`https://${loopback}:${port}`, pki.ca.cert, pki.clients.admin);
    const kcm = { ...(await health(ports.controllerManager)), insecure: true };
    const scheduler = { ...(await health(ports.scheduler)), insecure: true };
    await waitFor('kube-controller-manager /healthz', () => healthy(kcm, '/healthz'));
    await waitFor('kube-scheduler /healthz', () => healthy(scheduler, '/healthz'));
    await waitFor(
      'the default ServiceAccount in namespace default',
      readiness.defaultServiceAccount(admin),
      200,
    );
    const ready = since();
    progress(`local cluster ${name} ready in ${secs(ready)} (kubeconfig ${lay.kubeconfig})`);

    await writeState(lay, { ...state, readyAt: new Date().toISOString() });
    return {
      name,
      stateDir,
      kubeconfig: lay.kubeconfig,
      context: contextName,
      server,
      kubernetesVersion,
      binDir,
      ports,
      nodes,
      components: await componentStatuses(lay, ports),
      alreadyRunning: false,
      timings: { etcdReady, apiserverReady, nodesReady, ready },
      ...(buildMs === undefined ? {} : { buildMs }),
    };
  } catch (err) {
    if (spawned.length > 0) {
      progress('start failed: stopping the processes it started');
      await Promise.all(spawned.map((s) => stopProcess(s.pid, { graceMs: 2_000 })));
    }
    throw err;
  } finally {
    await release();
  }
}
