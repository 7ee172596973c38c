/** completion: shell completion scripts, like `helm completion` and `kubectl completion`. */
import type { Command } from 'commander';
import { blueprintNames } from '../../blueprints/registry.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import { completionScript, SHELLS, type Shell } from '../completion.ts';

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText(
      'after',
      `
Load completions in the current shell:
  bash:  source <(berth completion bash)
  zsh:   source <(berth completion zsh)
  fish:  berth completion fish | source

Load them in every new shell:
  bash:  berth completion bash > ~/.local/share/bash-completion/completions/berth
  zsh:   berth completion zsh > "\${fpath[1]}/_berth"
  fish:  berth completion fish > ~/.config/fish/completions/berth.fish`,
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new BerthError(
          'BERTH_USAGE',
          `completion: expected a shell (${SHELLS.join(', ')}), got ${JSON.stringify(shell)}`,
          { exitCode: ExitCode.usage },
        );
      process.stdout.write(completionScript(shell as Shell, program, blueprintNames()));
    });
}
