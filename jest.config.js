// Jest runs the TypeScript sources as native ES modules, the same module format the
// compiled `dist/` build runs in production (got 14 is ESM-only). Type checking is
// done once by `tsc` in `npm test`, so ts-jest only transpiles (isolatedModules).
/** @type {import('jest').Config} */
export default {
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
  maxWorkers: 2,
};
