import type { Command } from 'commander';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import { releaseImages } from '../../images/list.ts';
import { MIRROR_TOOLS, type MirrorTool, mirrorCopies, mirrorScript } from '../../images/mirror.ts';
import { render } from '../../render/render.ts';
import { collectUserValues, type ValueSources } from '../../values/sources.ts';
import { OUTPUT_FORMATS, parseOutputFormat, printJson, printLine } from '../output.ts';
import { addOfflineRenderOptions, valueSources } from '../value-options.ts';

interface ImagesOptions {
  values: string[];
  namespace: string;
  release?: string;
  output: string;
  mirrorScript?: string;
}

function parseTool(value: string): MirrorTool {
  if ((MIRROR_TOOLS as readonly string[]).includes(value)) return value as MirrorTool;
  throw new BerthError(
    'BERTH_FLAG_INVALID',
    `--mirror-script: expected one of ${MIRROR_TOOLS.join(', ')}, got "${value}"`,
    { exitCode: ExitCode.usage },
  );
}

/** The same values with no mirror: where every image is published. */
function withoutMirror(sources: ValueSources): ValueSources {
  return {
    ...sources,
    flags: [...sources.flags, { kind: 'set-string', expression: 'global.imageRegistry=' }],
  };
}

export function registerImagesCommand(program: Command): void {
  addOfflineRenderOptions(
    program
      .command('images')
      .description(
        'every image the rendered release pulls, fully qualified (with --registry: from that mirror)',
      ),
  )
    .option('-o, --output <format>', 'text (one reference a line) or json', 'text')
    .option(
      '--mirror-script <tool>',
      `print the commands that copy every image to the mirror: ${MIRROR_TOOLS.join(', ')}`,
    )
    .action(async (name: string, options: ImagesOptions) => {
      const format = parseOutputFormat(options.output, OUTPUT_FORMATS);
      const tool = options.mirrorScript === undefined ? undefined : parseTool(options.mirrorScript);
      const blueprint = await getBlueprint(name);
      const sources = valueSources(options.values, process.argv);
      const target = { release: options.release ?? blueprint.name, namespace: options.namespace };
      const pulled = await render(blueprint, collectUserValues(sources), target);
      const mirror = (pulled.values as { global: { imageRegistry: string } }).global.imageRegistry;
      if (tool) {
        if (!mirror) {
          throw new BerthError('BERTH_FLAG_INVALID', '--mirror-script: no mirror to copy to', {
            hint: 'name it with --registry <host[/path]> (or global.imageRegistry in the values)',
            exitCode: ExitCode.usage,
          });
        }
        const published = await render(blueprint, collectUserValues(withoutMirror(sources)), target);
        const copies = mirrorCopies(
          published.manifests.map((m) => m.object),
          pulled.manifests.map((m) => m.object),
        );
        if (format === 'json') printJson({ apiVersion: 'berth.dev/v1', kind: 'MirrorCopies', tool, copies });
        else process.stdout.write(mirrorScript(tool, copies));
        return;
      }
      const images = releaseImages(pulled.manifests);
      if (format === 'json') {
        printJson({
          apiVersion: 'berth.dev/v1',
          kind: 'ImageList',
          blueprint: blueprint.name,
          release: pulled.release,
          ...(mirror ? { mirror } : {}),
          images,
        });
      } else {
        for (const image of images) printLine(image.reference);
      }
    });
}
