/**
 * Stands in for `node:test` inside the mutation test runner (node-test-runner.ts): `describe` and
 * `test` only record the tests, so the runner can run them again for every mutant in one process.
 * Supports what berth's unit tests use: describe/test/it with an optional options object.
 */
type TestFn = (context: { readonly name: string }) => unknown;

interface TestOptions {
  readonly skip?: boolean | string;
  readonly todo?: boolean | string;
}

export interface RecordedTest {
  readonly file: string;
  readonly fullName: string;
  readonly skip: boolean;
  readonly run: TestFn;
}

export const recorded: RecordedTest[] = [];
const suites: { readonly name: string; readonly skip: boolean }[] = [];
let currentFile = '';

/** Imports a test file, recording its tests under that file's name. */
export async function record(file: string, load: () => Promise<unknown>): Promise<void> {
  currentFile = file;
  try {
    await load();
  } finally {
    currentFile = '';
  }
}

function parse(args: unknown[]): { name: string; skip: boolean; fn: TestFn } {
  const [name, second, third] = args;
  const options = (typeof second === 'object' && second !== null ? second : {}) as TestOptions;
  const fn = (typeof second === 'function' ? second : third) as TestFn | undefined;
  if (typeof name !== 'string' || fn === undefined) {
    throw new Error('node-test shim: expected (name, [options], fn)');
  }
  return { name, skip: Boolean(options.skip) || Boolean(options.todo), fn };
}

export function describe(...args: unknown[]): void {
  const { name, skip, fn } = parse(args);
  suites.push({ name, skip });
  try {
    const result = fn({ name });
    if (result instanceof Promise) throw new Error(`node-test shim: describe('${name}') must be synchronous`);
  } finally {
    suites.pop();
  }
}

export function test(...args: unknown[]): void {
  const { name, skip, fn } = parse(args);
  recorded.push({
    file: currentFile,
    fullName: [...suites.map((suite) => suite.name), name].join(' > '),
    skip: skip || suites.some((suite) => suite.skip),
    run: fn,
  });
}

export const it = test;
export const suite = describe;
