/**
 * The bundle validates Kubernetes objects with src/render/openapi-formats.ts in place of
 * @kubernetes-models/validate's formats: each format it defines must accept and refuse exactly what
 * the package's own definition does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formats as packageFormats } from '@kubernetes-models/validate';
import { formats } from '../../src/render/openapi-formats.ts';

type Format = { type: string; validate: RegExp | ((value: never) => boolean) };
const accepts = (format: Format, value: unknown) =>
  format.validate instanceof RegExp ? format.validate.test(String(value)) : format.validate(value as never);

const SAMPLES: Record<keyof typeof formats, readonly unknown[]> = {
  byte: ['', 'YWJj', 'YWI=', 'YQ==', 'YQ=', 'Y', 'YW Jj', 'YWJj\n', '!!!!', 'YWJjZA=='],
  quantity: [
    '1',
    '1.5',
    '100m',
    '2Gi',
    '512Mi',
    '1e3',
    '-1.5E-3',
    '.5',
    '5.',
    '1da',
    '+3k',
    'x',
    '1 Gi',
    '',
    '1Ki2',
    '2GB',
    '0.1Ti',
  ],
  int32: [
    0,
    1,
    -1,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ],
  int64: [0, -7, 2 ** 53, 2 ** 60, 1.5, Number.NaN, Number.NEGATIVE_INFINITY],
  double: [0, 1.5, -2e300, Number.NaN],
};

for (const [name, samples] of Object.entries(SAMPLES)) {
  test(`format ${name} decides as @kubernetes-models/validate does`, () => {
    const ours = formats[name as keyof typeof formats] as Format;
    const theirs = (packageFormats as unknown as Record<string, Format>)[name]!;
    assert.equal(ours.type, theirs.type);
    for (const value of samples) {
      assert.equal(accepts(ours, value), accepts(theirs, value), `${name}: ${String(value)}`);
    }
  });
}
