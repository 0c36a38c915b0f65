import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable, replaceConfigTable } from './config-table.js';

/**
 * Rewrites the configuration table in README.md from SETTINGS:
 *   npm run build && node packages/byteair-sync/dist/src/config/write-config-table.js [README.md]
 * test/config/config-table.test.ts fails while the README is out of date.
 */
const path = process.argv[2] ?? 'README.md';
const before = readFileSync(path, 'utf8');
const after = replaceConfigTable(before, renderConfigTable());
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? `${path}: configuration table already current\n` : `${path}: configuration table rewritten\n`);
