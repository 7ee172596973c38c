import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { blueprintNames } from '../../src/blueprints/registry.ts';
import { runBerth } from '../support/cli.ts';

let script = '';
let dir = '';

before(async () => {
  const result = await runBerth(['completion', 'bash']);
  assert.equal(result.code, 0, result.stderr);
  script = result.stdout;
  dir = mkdtempSync(join(tmpdir(), 'berth-completion-'));
  writeFileSync(join(dir, 'berth.bash'), script);
  writeFileSync(join(dir, 'prod.yaml'), 'a: 1\n');
});

/** What bash offers for the last word of `line` (the cursor at its end). */
function complete(line: string): string[] {
  const words = line.split(' ');
  const driver = [
    `source ${JSON.stringify(join(dir, 'berth.bash'))}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_berth',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', driver], { cwd: dir, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .sort();
}

describe('berth completion bash', () => {
  test('is a valid bash script', () => {
    execFileSync('bash', ['-n', join(dir, 'berth.bash')]);
  });

  test('completes commands, subcommands, options, blueprints, formats and files', () => {
    assert.deepEqual(complete('berth inst'), ['install']);
    assert.deepEqual(complete('berth up'), ['upgrade']);
    assert.deepEqual(complete('berth local d'), ['down']);
    assert.deepEqual(complete('berth install --kube-c'), ['--kube-context']);
    assert.deepEqual(complete('berth owners --o'), ['--output']);
    assert.deepEqual(complete('berth install lf '), blueprintNames().sort());
    assert.deepEqual(complete('berth install lf la'), ['langfuse']);
    assert.deepEqual(
      complete('berth install -n shop lf la'),
      ['langfuse'],
      'option values are not positionals',
    );
    assert.deepEqual(complete('berth install la'), [], 'the first argument is a release name');
    assert.deepEqual(complete('berth plan lf langfuse -o j'), ['json']);
    assert.deepEqual(complete('berth render langfuse -f pro'), ['prod.yaml']);
    assert.deepEqual(complete('berth completion z'), ['zsh']);
  });
});

describe('berth completion zsh and fish', () => {
  test('zsh loads the bash completion through bashcompinit; fish lists commands and blueprints', async () => {
    const zsh = await runBerth(['completion', 'zsh']);
    assert.equal(zsh.code, 0, zsh.stderr);
    assert.match(zsh.stdout, /^#compdef berth\n/);
    assert.ok(zsh.stdout.includes('bashcompinit') && zsh.stdout.includes(script));
    const fish = await runBerth(['completion', 'fish']);
    assert.equal(fish.code, 0, fish.stderr);
    assert.match(
      fish.stdout,
      /^complete -c berth -n '__fish_use_subcommand' -a install -d 'install a blueprint/m,
    );
    assert.match(
      fish.stdout,
      /^complete -c berth -n '__fish_seen_subcommand_from install' -l values -s f -r -F /m,
    );
    assert.match(fish.stdout, new RegExp(`-a '${blueprintNames().join(' ')}'$`, 'm'));
  });

  test('an unknown shell is a usage error', async () => {
    const result = await runBerth(['completion', 'ksh']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'error: completion: expected a shell (bash, zsh, fish), got "ksh"\n');
  });
});
