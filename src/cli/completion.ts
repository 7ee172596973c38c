/**
 * Shell completion scripts generated from the commander program: commands and subcommands, each
 * command's options, blueprint names where a `<blueprint>` argument goes, files after file flags.
 */
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** `''` for berth itself, `local up` for a subcommand. */
  readonly path: string;
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly Option[];
  readonly args: readonly string[];
}

/** Flags whose value is a path: the shell completes file names there. */
const FILE_FLAGS = new Set(['--values', '--kubeconfig', '--set-file', '--file', '--output-dir']);
const OUTPUT_FORMATS = 'text json yaml';

function nodes(command: Command, prefix = ''): Node[] {
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const node: Node = {
    path: prefix,
    description: command.description(),
    subcommands: visible.map((c) => c.name()),
    options: command.options.filter((o) => !o.hidden),
    args: command.registeredArguments.map((a) => a.name()),
  };
  return [node, ...visible.flatMap((c) => nodes(c, prefix ? `${prefix} ${c.name()}` : c.name()))];
}

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((f): f is string => Boolean(f));
}

const takesValue = (option: Option) => option.required || option.optional;

function shellWords(words: readonly string[]): string {
  return words.join(' ').replace(/[^\w ./:@-]/g, '');
}

function bash(program: Command, blueprints: readonly string[]): string {
  const cases = nodes(program).map((node) => {
    const options = node.options.flatMap(flagsOf);
    const valued = node.options.filter(takesValue).flatMap(flagsOf);
    return [
      `    ${JSON.stringify(node.path)})`,
      `      subs=${JSON.stringify(shellWords(node.subcommands))}`,
      `      opts=${JSON.stringify(shellWords([...options, '--help']))}`,
      `      valued=${JSON.stringify(shellWords(valued))}`,
      `      args=${JSON.stringify(shellWords(node.args))} ;;`,
    ].join('\n');
  });
  const files = [...FILE_FLAGS].join('|');
  return `# berth completion for bash.
# Load it in this shell:     source <(berth completion bash)
# Load it in every shell:    berth completion bash > ~/.local/share/bash-completion/completions/berth
_berth_node() {
  case "$1" in
${cases.join('\n')}
    *) subs=""; opts="--help"; valued=""; args="" ;;
  esac
}

_berth() {
  local cur prev path="" pos=0 i word subs opts valued args
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  _berth_node ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ "$word" == -* ]]; then
      [[ "$word" != *=* && " $valued " == *" $word "* ]] && ((i++))
      continue
    fi
    if [[ $pos -eq 0 && " $subs " == *" $word "* ]]; then
      path="\${path:+$path }$word"
      _berth_node "$path"
    else
      ((pos++))
    fi
  done
  if [[ " $valued " == *" $prev "* ]]; then
    case "$prev" in
      -o|--output) COMPREPLY=($(compgen -W "${OUTPUT_FORMATS}" -- "$cur")) ;;
      -f|${files}) COMPREPLY=($(compgen -f -- "$cur")) ;;
      *) COMPREPLY=() ;;
    esac
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  if [[ $pos -eq 0 && -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return 0
  fi
  local -a names=($args)
  case "\${names[pos]}" in
    blueprint) COMPREPLY=($(compgen -W "${shellWords(blueprints)}" -- "$cur")) ;;
    shell) COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
  return 0
}
complete -o default -F _berth berth
`;
}

function zsh(program: Command, blueprints: readonly string[]): string {
  return `#compdef berth
# berth completion for zsh (the bash completion, through zsh's bashcompinit).
# Load it in this shell:     source <(berth completion zsh)
# Load it in every shell:    berth completion zsh > "\${fpath[1]}/_berth"  (then restart zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(program, blueprints)}`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fish(program: Command, blueprints: readonly string[]): string {
  const lines = [
    '# berth completion for fish.',
    '# Load it in this shell:     berth completion fish | source',
    '# Load it in every shell:    berth completion fish > ~/.config/fish/completions/berth.fish',
    'complete -c berth -f',
  ];
  for (const node of nodes(program)) {
    const words = node.path ? node.path.split(' ') : [];
    const condition = words.length ? `__fish_seen_subcommand_from ${words.at(-1)}` : '__fish_use_subcommand';
    for (const sub of node.subcommands) {
      const description = program.commands.find((c) => c.name() === sub)?.description() ?? '';
      lines.push(
        `complete -c berth -n ${fishQuote(condition)} -a ${sub} -d ${fishQuote(words.length ? '' : description.slice(0, 60))}`,
      );
    }
    if (!words.length) continue;
    for (const option of node.options) {
      const parts = ['complete -c berth', `-n ${fishQuote(condition)}`];
      if (option.long) parts.push(`-l ${option.long.replace(/^--/, '')}`);
      if (option.short) parts.push(`-s ${option.short.replace(/^-/, '')}`);
      if (takesValue(option)) parts.push(FILE_FLAGS.has(option.long ?? '') ? '-r -F' : '-r');
      parts.push(`-d ${fishQuote(option.description.slice(0, 60))}`);
      lines.push(parts.join(' '));
    }
    if (node.args.includes('blueprint'))
      lines.push(`complete -c berth -n ${fishQuote(condition)} -a ${fishQuote(blueprints.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, program: Command, blueprints: readonly string[]): string {
  switch (shell) {
    case 'bash':
      return bash(program, blueprints);
    case 'zsh':
      return zsh(program, blueprints);
    case 'fish':
      return fish(program, blueprints);
  }
}
