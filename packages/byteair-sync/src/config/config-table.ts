import { CONFIG_FILE_KEY, SETTINGS, type Setting } from './settings.js';

/** README.md holds the rendered table between these two lines; a test keeps it current. */
export const CONFIG_TABLE_START = '<!-- config-table:start -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

const CONFIG_FILE_ROW = `| \`${CONFIG_FILE_KEY}\` | none | Path of a flat JSON file holding any of these settings (\`{"BYTEAIR_TOPICS": "item,user"}\`); the environment wins over it. |  |`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultCell(setting: Setting<unknown>): string {
  if (setting.default === undefined) return 'none';
  if (setting.default === '') return 'empty';
  return `\`${cell(setting.default)}\``;
}

/** The configuration table in Markdown, rendered from SETTINGS (the single source of truth). */
export function renderConfigTable(settings: Readonly<Record<string, Setting<unknown>>> = SETTINGS): string {
  const rows = Object.values(settings).map((s) => `| \`${s.key}\` | ${defaultCell(s)} | ${cell(s.description)} | ${s.secret ? 'yes' : ''} |`);
  return ['| Variable | Default | Meaning | Secret |', '| --- | --- | --- | --- |', ...rows, CONFIG_FILE_ROW].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function replaceConfigTable(readme: string, table: string): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README has no ${CONFIG_TABLE_START} ... ${CONFIG_TABLE_END} section`);
  return `${readme.slice(0, start + CONFIG_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
