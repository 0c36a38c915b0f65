// Jest runs the TypeScript sources as native ES modules, the same module format the
// compiled `dist/` build runs in production (got 14 is ESM-only). Type checking is
// done once by `tsc` in `npm test`, so ts-jest only transpiles (isolatedModules).
/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // NodeNext imports name the emitted `.js` file; map them back to the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60_000,
  setupFiles: ['<rootDir>/test/support/fast-check-seed.ts'],
};

/**
 * Unit and integration suites, two at a time. test/system/ holds the multi-process suites
 * (worker fleets, crashes, outages): they run afterwards, one at a time, via
 * jest.system.config.js, so their timing is not disturbed by other suites on a 2-core box.
 */
export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/system/'],
  maxWorkers: 2,
};
