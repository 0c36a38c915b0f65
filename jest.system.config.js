import { base } from './jest.config.js';

/** The multi-process suites of test/system/, one at a time (see jest.config.js). */
export default {
  ...base,
  roots: ['<rootDir>/test/system'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
