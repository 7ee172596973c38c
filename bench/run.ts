/**
 * berth against Helm 4 on the same work, in one run, on a local control plane of its own.
 * Prints median wall time, the berth/helm ratio and peak memory for each scenario.
 *
 *   npm run bench                 # all scenarios
 *   BENCH_RUNS=9 npm run bench    # more runs per scenario (default 5)
 *   BENCH_OFFLINE=1 npm run bench # only the renders (no cluster)
 *   BENCH_BACKENDS=200 npm run bench  # a smaller scale release (default 1,000 backends, ~5,000 objects)
 *   BENCH_FLEET=200 BENCH_FLEET_NAMESPACES=50 BENCH_FLEET_NODES=1000 npm run bench   # the full fleet case
 *                                 # (default: 40 releases, 10 namespaces, 200 nodes)
 *   BENCH_FLEET_CONCURRENCY=8     # berth apply's --concurrency (default 16)
 *   BENCH_FLEET=0 npm run bench   # without it; BENCH_ONLY=fleet: only it
 *
 * Helm gets a static chart whose templates are berth's rendered output for the same values, so
 * both tools deploy exactly the same objects; Helm's own templating is then nearly free, which
 * makes the comparison about the tools' overhead, waiting and bookkeeping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { blueprintNames } from '../src/blueprints/registry.ts';
import { KubeClient } from '../src/kube/client.ts';
import { build, down, up } from '../src/local/index.ts';
import { toYaml } from '../src/yaml.ts';
import { scaleValues } from './scale.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = new URL('..', import.meta.url).pathname;
const BERTH = join(ROOT, 'bin/berth');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  readonly seconds: number;
  readonly peakKiB?: number;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Sample {
  const started = process.hrtime.bigint();
  const argv = TIME ? ['-f', '%M', command, ...args] : args;
  const result = spawnSync(TIME ?? command, argv, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const peak = TIME ? Number(result.stderr.trim().split('\n').at(-1)) : undefined;
  return peak === undefined || Number.isNaN(peak) ? { seconds } : { seconds, peakKiB: peak };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Row {
  readonly scenario: string;
  readonly berth: Sample[];
  readonly helm: Sample[];
}

function report(rows: Row[]): void {
  const fmt = (samples: Sample[]) => {
    const peaks = samples.map((s) => s.peakKiB).filter((p): p is number => p !== undefined);
    const memory = peaks.length ? ` ${Math.round(Math.max(...peaks) / 1024)} MiB` : '';
    return `${median(samples.map((s) => s.seconds)).toFixed(3)} s${memory}`;
  };
  const lines = [['scenario', 'berth (median, peak RSS)', 'helm (median, peak RSS)', 'berth/helm']];
  for (const row of rows) {
    const ratios = row.berth.map((b, i) => b.seconds / row.helm[i]!.seconds);
    lines.push([row.scenario, fmt(row.berth), fmt(row.helm), `${median(ratios).toFixed(2)}x`]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const line of lines) console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join('   '));
}

function staticChart(dir: string, manifests: string): string {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: berth-static\nversion: 0.1.0\n');
  // Helm would try to template {{ }} inside the objects; berth's output has none, but escape anyway.
  const templated = manifests
    .replaceAll('{{', '{{"{{"}}')
    .replaceAll('namespace: bench-placeholder', 'namespace: {{ .Release.Namespace }}');
  writeFileSync(join(dir, 'templates', 'all.yaml'), templated);
  return dir;
}

/** Synthetic release records: `count` berth releases and `count` Helm releases in one namespace. */
async function seedReleases(client: KubeClient, namespace: string, count: number): Promise<void> {
  const { ReleaseStore } = await import('../src/release/store.ts');
  const store = new ReleaseStore(client);
  const now = new Date().toISOString();
  const helmPayload = (name: string) =>
    gzipSync(
      JSON.stringify({
        name,
        namespace,
        version: 1,
        info: {
          status: 'deployed',
          first_deployed: now,
          last_deployed: now,
          description: 'Install complete',
        },
        chart: { metadata: { name: 'langfuse-static', version: '0.1.0', apiVersion: 'v2' } },
        manifest: 'x'.repeat(20_000),
      }),
    ).toString('base64');
  const batch = 25;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, i) => {
        const name = `r${start + i}`;
        await store.save({
          release: name,
          namespace,
          revision: 1,
          status: 'deployed',
          blueprint: { name: 'langfuse', version: '0.1.0', appVersion: '3.225.4' },
          berthVersion: 'bench',
          values: {},
          manifests: [],
          digest: '',
          description: 'install complete',
          notes: [],
          startedAt: now,
          finishedAt: now,
        });
        await client.create({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: `sh.helm.release.v1.${name}.v1`,
            namespace,
            labels: { owner: 'helm', name, status: 'deployed', version: '1' },
          },
          type: 'helm.sh/release.v1',
          data: { release: Buffer.from(helmPayload(name)).toString('base64') },
        });
      }),
    );
  }
}

/** berth's rendered objects for `args`, as a static chart Helm templates back to the same objects. */
function renderedChart(dir: string, args: readonly string[]): string {
  const rendered = spawnSync(BERTH, ['render', ...args, '-n', 'bench-placeholder'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (rendered.status !== 0) throw new Error(`berth render ${args.join(' ')} failed:\n${rendered.stderr}`);
  return staticChart(dir, rendered.stdout);
}

/** Offline renders: each blueprint's defaults, and one release of about 5,000 objects. */
function renders(helm: string, stateDir: string): Row[] {
  const rows: Row[] = [];
  for (const name of blueprintNames()) {
    const args = [name, '--release', 'r'];
    const chart = renderedChart(join(stateDir, `chart-${name}`), args);
    rows.push({
      scenario: `render ${name} (defaults)`,
      berth: Array.from({ length: RUNS }, () => run(BERTH, ['render', ...args], {})),
      helm: Array.from({ length: RUNS }, () => run(helm, ['template', 'r', chart], {})),
    });
  }
  const backends = Number(process.env.BENCH_BACKENDS ?? 1000);
  const values = join(stateDir, 'scale-values.yaml');
  writeFileSync(values, toYaml(scaleValues(backends)));
  const args = ['model-router', '-f', values, '--release', 'mr'];
  const chart = renderedChart(join(stateDir, 'chart-scale'), args);
  const objects = readFileSync(join(chart, 'templates', 'all.yaml'), 'utf8').match(/^kind: /gm)?.length ?? 0;
  const runs = Math.max(3, Math.ceil(RUNS / 2));
  rows.push({
    scenario: `render ${objects} objects (${backends} model backends)`,
    berth: Array.from({ length: runs }, () => run(BERTH, ['render', ...args], {})),
    helm: Array.from({ length: runs }, () => run(helm, ['template', 'mr', chart], {})),
  });
  return rows;
}

/** Requests the API server has served so far (apiserver_request_total), by `VERB resource`. */
function apiRequests(kubectl: string, env: NodeJS.ProcessEnv): Map<string, number> {
  const metrics = spawnSync(kubectl, ['get', '--raw', '/metrics'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }).stdout;
  const counts = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name: string) => line.match(new RegExp(`[{,]${name}="([^"]*)"`))?.[1] ?? '';
    const sub = label('subresource');
    const key = `${label('verb')} ${label('resource') || label('path')}${sub ? `/${sub}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** The kwok nodes' and control plane's own heartbeats: they grow with time and nodes, whoever deploys. */
const HEARTBEATS = new Set(['PUT leases', 'GET nodes', 'PATCH nodes', 'PATCH nodes/status']);

interface Requests {
  readonly total: number;
  /** Without the heartbeats: what deploying caused (the tool's own requests and the controllers'). */
  readonly work: number;
  readonly top: string;
}

/** The requests served while `action` ran (the metrics read itself not counted). */
function countRequests(kubectl: string, env: NodeJS.ProcessEnv, action: () => void): Requests {
  const before = apiRequests(kubectl, env);
  action();
  const after = apiRequests(kubectl, env);
  const served = [...after]
    .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const)
    .filter(([, n]) => n > 0);
  const total = served.reduce((sum, [, n]) => sum + n, 0) - 1;
  const work = served.filter(([key]) => !HEARTBEATS.has(key)).reduce((sum, [, n]) => sum + n, 0) - 1;
  const top = served
    .filter(([key]) => !HEARTBEATS.has(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([key, n]) => `${n} ${key}`)
    .join(', ');
  return { total, work, top };
}

/**
 * The fleet case on a cluster of its own with many kwok nodes: `releases` model-router releases in
 * `namespaces` namespaces installed, then all upgraded to new values, by `berth apply --concurrency`
 * and by a loop of `helm upgrade --install --wait` (what a script or helmfile without --concurrency
 * does). Each tool's own releases, in its own namespaces; the requests served while each ran are
 * counted, with and without the nodes' heartbeats.
 */
async function fleetCase(tools: { toolsDir: string }, stateRoot: string): Promise<string[]> {
  const releases = Number(process.env.BENCH_FLEET ?? 40);
  if (releases === 0) return [];
  const namespaces = Number(process.env.BENCH_FLEET_NAMESPACES ?? 10);
  const nodes = Number(process.env.BENCH_FLEET_NODES ?? 200);
  const concurrency = process.env.BENCH_FLEET_CONCURRENCY ?? '16';
  const helm = join(tools.toolsDir, 'helm');
  const kubectl = join(tools.toolsDir, 'kubectl');
  const stateDir = join(stateRoot, 'fleet');
  const cluster = await up({ stateDir, nodes, timeoutMs: 600_000 });
  const env = {
    KUBECONFIG: cluster.kubeconfig,
    HELM_CACHE_HOME: join(stateDir, 'helm-cache'),
    HELM_CONFIG_HOME: join(stateDir, 'helm-config'),
  };
  try {
    // Every release has a Service: the local cluster's 254 service addresses run out past 127
    // releases per tool, so the fleet's cluster gets a second service range.
    const serviceRange = join(stateDir, 'service-cidr.yaml');
    writeFileSync(
      serviceRange,
      'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: {name: bench-fleet}\nspec: {cidrs: [10.96.0.0/16]}\n',
    );
    run(kubectl, ['apply', '-f', serviceRange], env);
    for (let i = 0; i < namespaces; i++)
      for (const tool of ['b', 'h']) run(kubectl, ['create', 'namespace', `${tool}${i}`], env);
    const names = Array.from({ length: releases }, (_, i) => ({ name: `r${i}`, ns: i % namespaces }));
    const fleetFile = (level: string) => {
      const values = join(stateDir, `values-${level}.yaml`);
      writeFileSync(values, `router:\n  logLevel: ${level}\n`);
      const file = join(stateDir, `fleet-${level}.yaml`);
      const lines = names.map(
        (r) => `  - {name: ${r.name}, namespace: b${r.ns}, blueprint: model-router, values: [${values}]}`,
      );
      writeFileSync(file, `releases:\n${lines.join('\n')}\n`);
      return { values, file };
    };
    // One static chart per level whose object names follow the Helm release name.
    const chartOf = (level: string) => {
      const dir = renderedChart(join(stateDir, `chart-${level}`), [
        'model-router',
        '--release',
        'fleetrel',
        '--set',
        `router.logLevel=${level}`,
      ]);
      const templates = join(dir, 'templates', 'all.yaml');
      writeFileSync(templates, readFileSync(templates, 'utf8').replaceAll('fleetrel', '{{ .Release.Name }}'));
      return dir;
    };
    const charts = { INFO: chartOf('INFO'), WARN: chartOf('WARN') };
    const mib = (kib: number | undefined) =>
      kib === undefined ? '' : `, peak RSS ${Math.round(kib / 1024)} MiB`;
    const lines: string[] = [
      `fleet: ${releases} releases in ${namespaces} namespaces, ${nodes} nodes; berth apply --concurrency ${concurrency}, helm loop of upgrade --install --wait`,
    ];
    for (const level of ['INFO', 'WARN'] as const) {
      const { file } = fleetFile(level);
      let berth: Sample = { seconds: 0 };
      const berthRequests = countRequests(kubectl, env, () => {
        berth = run(BERTH, ['apply', file, '--concurrency', concurrency, '--create-namespace'], env);
      });
      const helmRuns: Sample[] = [];
      const helmRequests = countRequests(kubectl, env, () => {
        for (const r of names)
          helmRuns.push(
            run(
              helm,
              ['upgrade', '--install', r.name, charts[level], '-n', `h${r.ns}`, '--wait', '--timeout', '5m'],
              env,
            ),
          );
      });
      const helmSeconds = helmRuns.reduce((sum, s) => sum + s.seconds, 0);
      const helmPeak = Math.max(...helmRuns.map((s) => s.peakKiB ?? 0)) || undefined;
      const what = level === 'INFO' ? 'install' : 'upgrade';
      lines.push(
        `fleet ${what}: berth ${berth.seconds.toFixed(1)} s, ${berthRequests.total} requests (${berthRequests.work} without heartbeats)${mib(berth.peakKiB)}; ` +
          `helm loop ${helmSeconds.toFixed(1)} s, ${helmRequests.total} requests (${helmRequests.work} without heartbeats)${mib(helmPeak)}; ` +
          `berth/helm ${(berth.seconds / helmSeconds).toFixed(2)}x time, ${(berthRequests.total / helmRequests.total).toFixed(2)}x requests (${(berthRequests.work / helmRequests.work).toFixed(2)}x without heartbeats)`,
        `  berth's requests: ${berthRequests.top}`,
        `  helm's requests: ${helmRequests.top}`,
      );
    }
    return lines;
  } finally {
    await down({ stateDir });
  }
}

async function main(): Promise<void> {
  const tools = await build({ onProgress: (line) => console.error(line) });
  const helm = join(tools.toolsDir, 'helm');
  const kubectl = join(tools.toolsDir, 'kubectl');
  const stateDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  if (process.env.BENCH_ONLY === 'fleet') {
    for (const line of await fleetCase(tools, stateDir)) console.log(line);
    rmSync(stateDir, { recursive: true, force: true });
    return;
  }
  if (process.env.BENCH_OFFLINE) {
    report(renders(helm, stateDir));
    rmSync(stateDir, { recursive: true, force: true });
    return;
  }
  const cluster = await up({ stateDir, nodes: 3 });
  const env = {
    KUBECONFIG: cluster.kubeconfig,
    HELM_CACHE_HOME: join(stateDir, 'helm-cache'),
    HELM_CONFIG_HOME: join(stateDir, 'helm-config'),
  };
  const rows: Row[] = [];
  try {
    rows.push(...renders(helm, stateDir));
    const values = join(ROOT, 'examples/langfuse/values-minimal.yaml');
    const chart = renderedChart(join(stateDir, 'chart'), ['langfuse', '-f', values, '--release', 'lf']);

    const install: Row = { scenario: 'install langfuse to ready', berth: [], helm: [] };
    const noop: Row = { scenario: 'no-op upgrade', berth: [], helm: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const ns of [`b${i}`, `h${i}`]) run(kubectl, ['create', 'namespace', ns], env);
      install.berth.push(run(BERTH, ['install', 'lf', 'langfuse', '-n', `b${i}`, '-f', values], env));
      install.helm.push(run(helm, ['install', 'lf', chart, '-n', `h${i}`, '--wait', '--timeout', '5m'], env));
      noop.berth.push(run(BERTH, ['upgrade', 'lf', 'langfuse', '-n', `b${i}`, '-f', values], env));
      noop.helm.push(run(helm, ['upgrade', 'lf', chart, '-n', `h${i}`, '--wait'], env));
    }
    rows.push(install, noop);

    const releases = Number(process.env.BENCH_RELEASES ?? 1000);
    run(kubectl, ['create', 'namespace', 'many'], env);
    await seedReleases(KubeClient.fromKubeconfig({ kubeconfig: cluster.kubeconfig }), 'many', releases);
    rows.push({
      scenario: `list ${releases} releases`,
      berth: Array.from({ length: RUNS }, () => run(BERTH, ['list', '-n', 'many'], env)),
      helm: Array.from({ length: RUNS }, () => run(helm, ['list', '-n', 'many', '--max', '0'], env)),
    });
  } finally {
    await down({ stateDir });
  }
  const fleet = await fleetCase(tools, stateDir);
  rmSync(stateDir, { recursive: true, force: true });
  console.log(
    `\n${RUNS} runs each, on ${cluster.kubernetesVersion} (local control plane, kwok nodes)${TIME ? '' : '; install /usr/bin/time (Debian package time) for peak memory'}\n`,
  );
  report(rows);
  for (const line of fleet) console.log(line);
}

await main();
