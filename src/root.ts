/**
 * The directory berth is installed in. Both `src/` (a developer checkout) and `dist/` (the bundle
 * bin/berth runs) sit directly below it, so one level up from this module is right in either.
 */
export const INSTALL_ROOT: URL = new URL('..', import.meta.url);
