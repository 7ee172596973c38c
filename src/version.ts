import { readFileSync } from 'node:fs';
import { INSTALL_ROOT } from './root.ts';

const manifest = JSON.parse(readFileSync(new URL('package.json', INSTALL_ROOT), 'utf8')) as {
  version: string;
};

export const BERTH_VERSION = manifest.version;
