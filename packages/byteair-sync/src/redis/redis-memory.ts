import type { RedisClient } from './connection.js';
import type { Keyspace } from './keyspace.js';
import { LuaScript } from './lua-script.js';

/** Memory of the Redis that holds our keys: BullMQ needs noeviction, so a full Redis refuses writes. */
export interface RedisMemory {
  readonly usedBytes: number;
  /** The maxmemory setting; 0 = no limit (the machine's memory is the limit). */
  readonly maxBytes: number;
}

// KEYS: any key of ours. INFO is run inside a script only so that on Redis Cluster it reaches the
// node owning our slot (a plain INFO goes to whichever node the client picks); the key is not read.
const MEMORY_INFO = new LuaScript(
  `
local info = redis.call('INFO', 'memory')
return { string.match(info, 'used_memory:(%d+)') or '0', string.match(info, 'maxmemory:(%d+)') or '0' }
`,
  1,
);

export async function readRedisMemory(redis: RedisClient, keys: Keyspace): Promise<RedisMemory> {
  const reply = (await MEMORY_INFO.run(redis, [keys.key('memory-probe')], [])) as [string, string];
  return { usedBytes: Number(reply[0]), maxBytes: Number(reply[1]) };
}
