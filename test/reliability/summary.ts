/** Sums up a reliability run's figures (reports/reliability/*.json) as the lines docs/reliability.md quotes. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'reports/reliability';
const read = (name: string): any => {
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
const lines: string[] = [];
const crash = read('crash');
if (crash) {
  const by = Object.entries(crash.byCommand as Record<string, { points: number; recovered: number }>)
    .map(([command, c]) => `${command} ${c.recovered}/${c.points}`)
    .join(', ');
  lines.push(
    `crash recovery: ${crash.recovered}/${crash.points} (${by}); killed before finishing ${crash.killedBeforeFinishing}; seed ${crash.seed}`,
  );
}
const lock = read('lock');
if (lock)
  lines.push(
    `lock: ${lock.writers} upgrades, ${lock.proceeded} proceeded, ${lock.lockMessage} got the lock message`,
  );
const restart = read('api-restart');
if (restart)
  for (const r of restart.results)
    lines.push(
      `API restart at /${r.killAt}/ (down ${(r.downMs / 1000).toFixed(1)} s + restart): exit ${r.code}${r.retry === undefined ? '' : `, retry exit ${r.retry}`}; left ${r.leftAfterFirstRun.join(' ')}; problems ${r.problems.length}`,
    );
const proxy = read('proxy');
if (proxy)
  lines.push(
    `proxy faults (${proxy.rate * 100}% of ${proxy.requests} requests, seed ${proxy.seed}): ${Object.entries(
      proxy.faults,
    )
      .map(([code, n]) => `${code}×${n}`)
      .join(
        ' ',
      )}; ${proxy.completed}/${proxy.runs} completed, ${proxy.failedCleanly} failed cleanly, ${proxy.misbehaved} misbehaved, ${proxy.halfRecorded} half-recorded`,
  );
const pss = read('pod-security');
if (pss)
  for (const [name, b] of Object.entries(pss.blueprints as Record<string, any>))
    lines.push(
      `Pod Security ${name}: ${b.podTemplates} pod templates, refused ${JSON.stringify(b.refusedByAdmission)} (declared ${JSON.stringify(b.declaredExceptions)}); install with ${b.installedWith}: exit ${b.install}`,
    );
const scans = ['crash', 'lock', 'api-restart', 'proxy', 'pod-security']
  .map((name) => read(name)?.secretScan)
  .filter(Boolean);
if (scans.length) {
  const sum = (key: string) => scans.reduce((total, s) => total + s[key], 0);
  lines.push(
    `secret scan: ${sum('values')} generated values × ${sum('texts')} outputs, records and bundle files (${(sum('bytes') / 1e6).toFixed(1)} MB): ${sum('leaks')} found`,
  );
}
process.stdout.write(`\n== reliability figures\n${lines.join('\n')}\n`);
