// Mutation testing (npm run test:mutation): each group mutates one area and runs the unit tests
// that guard it, in the Stryker worker itself (scripts/stryker/node-test-runner.ts), so each
// mutant runs only the tests that cover it.
const groups = {
  release: {
    mutate: ['src/release/**/*.ts'],
    tests: ['test/unit/release-*.test.ts'],
  },
  policies: {
    mutate: ['src/render/policies.ts'],
    tests: ['test/unit/render-policies.test.ts', 'test/unit/policies-*.test.ts'],
  },
  redaction: {
    mutate: ['src/plan/redact.ts', 'src/doctor/redact.ts'],
    tests: ['test/unit/redaction*.test.ts', 'test/unit/plan*.test.ts'],
  },
};

const name = process.env.MUTATION_GROUP ?? 'release';
const group = groups[name];
if (!group) throw new Error(`MUTATION_GROUP: expected one of ${Object.keys(groups).join(', ')}, got ${name}`);

export default {
  plugins: ['./scripts/stryker/node-test-runner.ts'],
  testRunner: 'node-test',
  nodeTest: { files: group.tests },
  mutate: group.mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: 'always',
  ignorePatterns: ['reports', 'out', '.berth', 'cluster', 'bench', '.stryker-tmp*'],
  thresholds: { high: 90, low: 80, break: null },
};
