/**
 * A StrykerJS test runner for `node --test` files that runs them inside the Stryker worker
 * process: the files are imported once (their `node:test` import answered by node-test-shim.ts),
 * and every mutant then runs only the tests that cover it, switching the mutant on at run time.
 * That is what makes mutation runs affordable: the command runner starts Node and loads the whole
 * engine once per mutant. Mutants that run while modules load (static ones) get a fresh worker,
 * since this runner cannot reload modules (capabilities: reloadEnvironment false).
 *
 * Config: testRunner 'node-test', nodeTest.files: test file globs relative to the sandbox.
 */
import { glob } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  INSTRUMENTER_CONSTANTS,
  type InstrumenterContext,
  type StrykerOptions,
} from '@stryker-mutator/api/core';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  type DryRunOptions,
  type DryRunResult,
  DryRunStatus,
  determineHitLimitReached,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunner,
  TestStatus,
  toMutantRunResult,
} from '@stryker-mutator/api/test-runner';
import { type RecordedTest, record, recorded } from './node-test-shim.ts';

const shimUrl = new URL('./node-test-shim.ts', import.meta.url).href;
registerHooks({
  resolve: (specifier, context, next) =>
    specifier === 'node:test' || specifier === 'test'
      ? { url: shimUrl, shortCircuit: true }
      : next(specifier, context),
});

interface NodeTestOptions {
  readonly nodeTest?: { readonly files?: readonly string[] };
}

const testId = (test: RecordedTest): string => `${test.file} > ${test.fullName}`;

class NodeTestRunner implements TestRunner {
  static inject = tokens(commonTokens.options);
  private readonly options: StrykerOptions & NodeTestOptions;
  private readonly context: InstrumenterContext;
  private loaded = false;

  constructor(options: StrykerOptions) {
    this.options = options;
    const global = globalThis as Record<string, unknown>;
    global[INSTRUMENTER_CONSTANTS.NAMESPACE] ??= {};
    this.context = global[INSTRUMENTER_CONSTANTS.NAMESPACE] as InstrumenterContext;
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    this.context.activeMutant = undefined;
    const result = await this.run(undefined, options.coverageAnalysis === 'perTest', true);
    if (result.status === DryRunStatus.Complete && options.coverageAnalysis !== 'off') {
      result.mutantCoverage = this.context.mutantCoverage;
    }
    return result;
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    this.context.activeMutant = options.activeMutant.id;
    this.context.hitLimit = options.hitLimit;
    this.context.hitCount = options.hitLimit === undefined ? undefined : 0;
    const filter = options.testFilter === undefined ? undefined : new Set(options.testFilter);
    const result = await this.run(filter, false, options.disableBail);
    const hitLimit = determineHitLimitReached(this.context.hitCount, this.context.hitLimit);
    return toMutantRunResult(hitLimit ?? result);
  }

  /** Imports the test files once (after the mutant is switched on, so static mutants apply). */
  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const patterns = this.options.nodeTest?.files ?? ['test/**/*.test.ts'];
    const files: string[] = [];
    for await (const file of glob([...patterns])) files.push(file);
    for (const file of files.sort()) {
      await record(resolve(file), () => import(pathToFileURL(resolve(file)).href));
    }
  }

  private async run(filter: Set<string> | undefined, perTest: boolean, disableBail: boolean) {
    try {
      await this.load();
    } catch (error) {
      return { status: DryRunStatus.Error, errorMessage: String((error as Error).stack ?? error) } as const;
    }
    const tests: TestResult[] = [];
    for (const test of recorded) {
      const id = testId(test);
      if (filter !== undefined && !filter.has(id)) continue;
      const base = { id, name: test.fullName, fileName: test.file };
      if (test.skip) {
        tests.push({ ...base, status: TestStatus.Skipped, timeSpentMs: 0 });
        continue;
      }
      if (perTest) this.context.currentTestId = id;
      const started = performance.now();
      try {
        await test.run({ name: test.fullName });
        tests.push({ ...base, status: TestStatus.Success, timeSpentMs: performance.now() - started });
      } catch (error) {
        const failureMessage = String((error as Error)?.message ?? error);
        tests.push({
          ...base,
          status: TestStatus.Failed,
          failureMessage,
          timeSpentMs: performance.now() - started,
        });
        if (!disableBail) break;
      } finally {
        this.context.currentTestId = undefined;
      }
    }
    return { status: DryRunStatus.Complete, tests } as DryRunResult & { status: DryRunStatus.Complete };
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'node-test', NodeTestRunner)];

export const strykerValidationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    nodeTest: {
      type: 'object',
      properties: { files: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
    },
  },
};
