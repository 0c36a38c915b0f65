import { LuaScript } from '../redis/lua-script.js';

/**
 * Lua of the global limiter. Keys (one hash tag, so one Cluster slot):
 *   log   sorted set of bookings; member "<seq>:<records>", score = booked start (Redis epoch ms)
 *   state hash: factor, storedAt, lastCutAt (AIMD, see aimd.ts), pausedUntil, seq
 * Every script reads Redis TIME, so no process's clock matters. Numbers go back as integers
 * or strings: RESP turns Lua floats into integers.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Same formula as aimd.ts factorAt; ARGV index of recoveryPerSecond varies, so it is passed in.
const FACTOR = `local function factor_at(st, recovery)
  if not st[1] then return 1 end
  local elapsed = math.max(0, now - tonumber(st[2]))
  return math.min(1, tonumber(st[1]) + recovery * elapsed / 1000)
end
local function ceiling(max, factor) return math.max(1, math.floor(max * factor + 1e-9)) end`;

// KEYS: log, state. ARGV: records, horizonMs, maxRequests, maxRecords, windowMs, recoveryPerSecond
// → { 1, start, now, member } booked, or { 0, retryInMs, now, start } refused (nothing written
//   but the trim). The walk is booking-rule.ts earliestStart.
export const BOOK = new LuaScript(
  `${NOW}
${FACTOR}
local records = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local window = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt', 'pausedUntil')
local factor = factor_at(st, tonumber(ARGV[6]))
local max_req = ceiling(tonumber(ARGV[3]), factor)
local max_rec = ceiling(tonumber(ARGV[4]), factor)
local lower = math.max(now, tonumber(st[3] or '0'))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then lower = math.max(lower, tonumber(last[2])) end
local e = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (lower - window), '+inf', 'WITHSCORES')
local n = #e / 2
local count = n
local sum = 0
local recs = {}
for i = 1, n do
  recs[i] = tonumber(string.match(e[2 * i - 1], ':(%d+)$'))
  sum = sum + recs[i]
end
local start = lower
local i = 1
while true do
  local fits
  if records > max_rec then fits = (count == 0) else fits = (count + 1 <= max_req and sum + records <= max_rec) end
  if fits then break end
  local oldest = tonumber(e[2 * i])
  while i <= n and tonumber(e[2 * i]) == oldest do
    count = count - 1
    sum = sum - recs[i]
    i = i + 1
  end
  start = oldest + window
end
if start - now > horizon then return { 0, start - now - horizon, now, start } end
local member = redis.call('HINCRBY', KEYS[2], 'seq', 1) .. ':' .. ARGV[1]
redis.call('ZADD', KEYS[1], start, member)
redis.call('PEXPIRE', KEYS[1], start - now + window + 1000)
return { 1, start, now, member }
`,
  2,
);

// KEYS: log. ARGV: member, lateToleranceMs
// Called when the holder wakes at its start, right before it sends.
// → { 'ok', now } | { 'early', msLeft } | { 'late', msLate } (booking dropped) | { 'gone', now }
export const CONFIRM = new LuaScript(
  `${NOW}
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return { 'gone', now } end
s = tonumber(s)
if now < s then return { 'early', s - now } end
if now - s > tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return { 'late', now - s }
end
return { 'ok', now }
`,
  1,
);

// KEYS: log. ARGV: member. The request is on the wire: a booking whose request went out later
// than booked moves to the real sending time, so every booking made from now on keeps a full
// window from when the API actually saw it. (Bookings only ever go at or after the latest
// score, so the one-window check of BOOK stays exact.) → ms the send was late (0 if on time).
export const SENT = new LuaScript(
  `${NOW}
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return 0 end
s = tonumber(s)
if now <= s then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return now - s
`,
  1,
);

// KEYS: log. ARGV: member. Gives an unused booking back (abort, shutdown).
export const RELEASE = new LuaScript(`return redis.call('ZREM', KEYS[1], ARGV[1])`, 1);

// KEYS: log, state. ARGV: retryAfterMs ('' = none), decrease, floor, recoveryPerSecond, holdMs
// aimd.ts afterPenalty, plus the Retry-After pause. When either changed, bookings that have
// not started yet are dropped: their holders find them gone at wake-up and book again under
// the lowered ceiling and the pause, so a 429 slows everyone within milliseconds.
// → { factor (string), pausedUntil, now, cut (0|1), dropped }
export const PENALIZE = new LuaScript(
  `${NOW}
${FACTOR}
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt', 'pausedUntil', 'lastCutAt')
local factor = factor_at(st, tonumber(ARGV[4]))
local cut = 0
if not st[4] or now - tonumber(st[4]) >= tonumber(ARGV[5]) then
  factor = math.max(tonumber(ARGV[3]), factor * tonumber(ARGV[2]))
  redis.call('HSET', KEYS[2], 'factor', string.format('%.17g', factor), 'storedAt', now, 'lastCutAt', now)
  cut = 1
end
local paused = tonumber(st[3] or '0')
local extended = 0
if ARGV[1] ~= '' and now + tonumber(ARGV[1]) > paused then
  paused = now + tonumber(ARGV[1])
  redis.call('HSET', KEYS[2], 'pausedUntil', paused)
  extended = 1
end
local dropped = 0
if cut == 1 or extended == 1 then dropped = redis.call('ZREMRANGEBYSCORE', KEYS[1], '(' .. now, '+inf') end
return { string.format('%.17g', factor), paused, now, cut, dropped }
`,
  2,
);

// KEYS: log, state. ARGV: windowMs, recoveryPerSecond
// → { requests, records, factor (string), pausedUntil (0 = not paused), now }
export const USAGE = new LuaScript(
  `${NOW}
${FACTOR}
local e = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tonumber(ARGV[1])), now)
local sum = 0
for i = 1, #e do sum = sum + tonumber(string.match(e[i], ':(%d+)$')) end
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt', 'pausedUntil')
local paused = tonumber(st[3] or '0')
if paused <= now then paused = 0 end
return { #e, sum, string.format('%.17g', factor_at(st, tonumber(ARGV[2]))), paused, now }
`,
  2,
);
