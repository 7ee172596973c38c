import type { Command } from 'commander';
import { images, mirrorImages } from '../../actions/images.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import { MIRROR_TOOLS, type MirrorTool, mirrorScript } from '../../images/mirror.ts';
import { collectUserValues } from '../../values/sources.ts';
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
      const values = collectUserValues(valueSources(options.values, process.argv));
      const request = { blueprint, values, namespace: options.namespace, release: options.release };
      if (tool) {
        const copies = await mirrorImages(request);
        if (format === 'json') printJson({ apiVersion: 'berth.dev/v1', kind: 'MirrorCopies', tool, copies });
        else process.stdout.write(mirrorScript(tool, copies));
        return;
      }
      const list = await images(request);
      if (format === 'json') {
        printJson({
          apiVersion: 'berth.dev/v1',
          kind: 'ImageList',
          blueprint: blueprint.name,
          release: list.release,
          ...(list.mirror ? { mirror: list.mirror } : {}),
          images: list.images,
        });
      } else {
        for (const image of list.images) printLine(image.reference);
      }
    });
}
