import { LuaScript } from '../redis/lua-script.js';

/**
 * The circuit's Redis side is a versioned compare-and-set: the rules live once, in
 * circuit-rules.ts, and run in the caller; Redis only guarantees that a new state is written
 * over exactly the state it was computed from. Reads carry Redis TIME, the circuit's clock.
 * Hash fields: phase, failures, cooldownMs, openedAt, reopensAt, probeId, probeLeaseUntil, v.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: circuit. → { now, field, value, ... }
export const CIRCUIT_READ = new LuaScript(
  `${NOW}
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, now)
return out
`,
  1,
);

// KEYS: circuit. ARGV: expectedVersion ('0' when absent), field, value, ...
// → { 1 } written, or { 0, now, field, value, ... } with the state that won instead.
export const CIRCUIT_CAS = new LuaScript(
  `if (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[1] then
  ${NOW.replace(/\n/g, '\n  ')}
  local out = redis.call('HGETALL', KEYS[1])
  table.insert(out, 1, now)
  table.insert(out, 1, 0)
  return out
end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, unpack(fields))
return { 1 }
`,
  1,
);
