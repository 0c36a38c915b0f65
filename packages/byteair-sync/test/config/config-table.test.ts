import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, renderConfigTable, replaceConfigTable } from '../../src/config/config-table.js';
import { CONFIG_FILE_KEY, SETTINGS } from '../../src/config/settings.js';
import { PROJECT_ROOT } from '../../../../test/support/shared.js';

test('README.md carries the configuration table rendered from SETTINGS', () => {
  const readme = readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8');
  const current = readme.slice(readme.indexOf(CONFIG_TABLE_START), readme.indexOf(CONFIG_TABLE_END) + CONFIG_TABLE_END.length);
  const expected = `${CONFIG_TABLE_START}\n${renderConfigTable()}\n${CONFIG_TABLE_END}`;
  // On failure: npm run build && node packages/byteair-sync/dist/src/config/write-config-table.js
  expect(current).toBe(expected);
});

test('the table has one row per setting plus the config file, secrets flagged', () => {
  const lines = renderConfigTable().split('\n');
  expect(lines).toHaveLength(2 + Object.keys(SETTINGS).length + 1);
  for (const setting of Object.values(SETTINGS)) {
    const row = lines.find((line) => line.startsWith(`| \`${setting.key}\` |`));
    expect(row).toBeDefined();
    expect(row?.endsWith(setting.secret ? '| yes |' : '|  |')).toBe(true);
  }
  expect(lines.at(-1)).toContain(CONFIG_FILE_KEY);
});

test('a changed setting changes the table: the README check is not vacuous (control)', () => {
  const changed = { ...SETTINGS, concurrency: { ...SETTINGS.concurrency, default: '9' } };
  expect(renderConfigTable(changed)).not.toBe(renderConfigTable());
});

test('replaceConfigTable swaps only the text between the markers and needs both', () => {
  const readme = `# x\n${CONFIG_TABLE_START}\nold\n${CONFIG_TABLE_END}\nafter\n`;
  expect(replaceConfigTable(readme, 'new')).toBe(`# x\n${CONFIG_TABLE_START}\nnew\n${CONFIG_TABLE_END}\nafter\n`);
  expect(() => replaceConfigTable('# no markers', 'new')).toThrow(/config-table:start/);
});
