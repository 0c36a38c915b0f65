// Jest runs the TypeScript sources as native ES modules, the same module format the
// compiled `dist/` build runs in production (got 14 is ESM-only). Type checking is
// done once by `tsc` in `npm test`, so ts-jest only transpiles (isolatedModules).
/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  // The product's and the emulator's own tests, and the repository-level suites (system, chaos).
  roots: ['<rootDir>/packages/byteair-sync/test', '<rootDir>/packages/byteair-emulator/test', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // NodeNext imports name the emitted `.js` file; map them back to the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The workspace packages, imported by name across packages, run from their sources too: one
    // copy of each module per test (an error thrown by the emulator is the class a test imports).
    '^byteair-sync$': '<rootDir>/packages/byteair-sync/src/index.ts',
    '^byteair-sync/internal/(.*)\\.js$': '<rootDir>/packages/byteair-sync/$1',
    '^byteair-emulator$': '<rootDir>/packages/byteair-emulator/src/index.ts',
    '^byteair-emulator/cli$': '<rootDir>/packages/byteair-emulator/src/cli/commands.ts',
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
