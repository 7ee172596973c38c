/**
 * Writes a support bundle: a gzip-compressed tar of in-memory files (already redacted) under one
 * top-level folder. tar-stream packs from memory, so nothing unredacted is ever staged on disk.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

export interface BundleFile {
  /** Path inside the bundle folder, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

/** Writes `files` to `path` (mode 0600: a bundle describes a system) under `root/`. */
export async function writeBundle(
  path: string,
  root: string,
  files: readonly BundleFile[],
  mtime: Date,
): Promise<void> {
  const archive = pack();
  const done = pipeline(archive, createGzip({ level: 9 }), createWriteStream(path, { mode: 0o600 }));
  for (const file of files) {
    await new Promise<void>((resolve, reject) =>
      archive.entry({ name: `${root}/${file.path}`, mode: 0o644, mtime }, file.content, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }
  archive.finalize();
  await done;
}
