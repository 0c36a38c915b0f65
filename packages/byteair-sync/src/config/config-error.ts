import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** A setting is missing, malformed or unknown. Names the key; secret values are never echoed. */
export class ConfigError extends ByteairSyncError {
  readonly code = 'CONFIG_INVALID';
  readonly key: string;

  constructor(key: string, shownValue: string, reason: string, source: string) {
    super(`config ${key}=${shownValue} (${source}): ${reason}`, { key, value: shownValue, source });
    this.key = key;
  }
}
