import { existsSync, readFileSync } from 'node:fs';

/** What package.json says about this package: read at run time so the version and the Node range live there only. */
export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** package.json `engines.node`, e.g. `>=20.19`. */
  readonly nodeRange: string;
}

/**
 * The package root's package.json, parsed: two levels up from dist/src/package-info.js (built,
 * in a checkout or installed), one from src/package-info.ts (the sources, as the tests load them).
 */
function readManifest(): { name?: unknown; version?: unknown; engines?: { node?: unknown } } {
  for (const relative of ['../../package.json', '../package.json']) {
    const url = new URL(relative, import.meta.url);
    if (!existsSync(url)) continue;
    const parsed = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown; engines?: { node?: unknown } };
    if (parsed.name === 'byteair-sync') return parsed;
  }
  throw new Error(`byteair-sync's package.json is not next to ${import.meta.url}`);
}

let cached: PackageInfo | undefined;

/** Read once per process: the command's start-up asks for it twice (the Node check, --version). */
export function readPackageInfo(): PackageInfo {
  if (cached !== undefined) return cached;
  const parsed = readManifest();
  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string') throw new Error(`package.json has no ${field}`);
    return value;
  };
  cached = Object.freeze({ name: text(parsed.name, 'name'), version: text(parsed.version, 'version'), nodeRange: text(parsed.engines?.node, 'engines.node') });
  return cached;
}
