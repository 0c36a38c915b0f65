import { LuaScript } from '../redis/lua-script.js';

/**
 * Lua for the batcher's bookkeeping on a topic's intake (a Redis stream):
 *   meta hash: cursor (last entry cut), uncut (records after the cursor), pushed, accepted
 *   cuts hash: first entry id → {first, last, count, claimedAt, owner} of chunks cut but
 *              not yet turned into a job; entries are trimmed only once no cut needs them
 *   inflight set: Request-Ids of streaming chunks not yet accepted by the API
 *   settled zset: Request-Ids of chunks the API answered, by settle time (kept for the replay
 *              window), so a re-run or a redone cut never counts or sends a chunk twice
 * A cut's Request-Id comes from its first and last entry ids, so re-doing a cut after a
 * crash (same entries) yields the same Request-Id and the same job id.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: intake, meta, cuts, inflight. ARGV: leaseMs
// → { now, cursor, uncut, oldestEntryId|'', inFlight, staleCutJson|'' }
export const INTAKE_STATE = new LuaScript(
  `${NOW}
local cursor = redis.call('HGET', KEYS[2], 'cursor') or '0-0'
local uncut = tonumber(redis.call('HGET', KEYS[2], 'uncut') or '0')
local oldest = ''
if uncut > 0 then
  local e = redis.call('XRANGE', KEYS[1], '(' .. cursor, '+', 'COUNT', 1)
  if e[1] then oldest = e[1][1] end
end
local stale = ''
local cuts = redis.call('HGETALL', KEYS[3])
for i = 1, #cuts, 2 do
  local c = cjson.decode(cuts[i + 1])
  if now - c.claimedAt > tonumber(ARGV[1]) then stale = cuts[i + 1] break end
end
return { now, cursor, uncut, oldest, redis.call('SCARD', KEYS[4]), stale }
`,
  4,
);

// KEYS: intake, meta, cuts. ARGV: expectedCursor, maxCount, owner, maxBytes
// Takes at most maxCount records whose JSON array stays within maxBytes (always at least one).
// → false when another batcher moved the cursor first; else { first, last, record... }
export const INTAKE_CUT = new LuaScript(
  `${NOW}
local cursor = redis.call('HGET', KEYS[2], 'cursor') or '0-0'
if cursor ~= ARGV[1] then return false end
local entries = redis.call('XRANGE', KEYS[1], '(' .. cursor, '+', 'COUNT', tonumber(ARGV[2]))
if #entries == 0 then return false end
local maxBytes = tonumber(ARGV[4])
local bytes = 2
for i = 1, #entries do
  local size = string.len(entries[i][2][2]) + (i > 1 and 1 or 0)
  if i > 1 and bytes + size > maxBytes then
    for j = #entries, i, -1 do entries[j] = nil end
    break
  end
  bytes = bytes + size
end
local first = entries[1][1]
local last = entries[#entries][1]
redis.call('HSET', KEYS[2], 'cursor', last)
redis.call('HINCRBY', KEYS[2], 'uncut', -#entries)
redis.call('HSET', KEYS[3], first, cjson.encode({ first = first, last = last, count = #entries, claimedAt = now, owner = ARGV[3] }))
local out = { first, last }
for i = 1, #entries do out[#out + 1] = entries[i][2][2] end
return out
`,
  3,
);

// KEYS: intake, cuts. ARGV: first, expectedClaimedAt, owner
// Takes over a cut whose batcher went quiet. → false if someone else did; else { first, last, record... }
export const INTAKE_RECLAIM = new LuaScript(
  `${NOW}
local text = redis.call('HGET', KEYS[2], ARGV[1])
if not text then return false end
local c = cjson.decode(text)
if c.claimedAt ~= tonumber(ARGV[2]) then return false end
c.claimedAt = now
c.owner = ARGV[3]
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(c))
local entries = redis.call('XRANGE', KEYS[1], c.first, c.last)
local out = { c.first, c.last }
for i = 1, #entries do out[#out + 1] = entries[i][2][2] end
return out
`,
  2,
);

// KEYS: inflight, settled. ARGV: requestId
// Before the cut's job is added: count it in flight, unless that chunk was settled already (a
// cut redone after its batcher died, whose job ran meanwhile). Marking it before the job
// exists means a worker settling the job can never come before the mark.
export const INTAKE_MARK_IN_FLIGHT = new LuaScript(
  `
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
return redis.call('SADD', KEYS[1], ARGV[1])
`,
  2,
);

// KEYS: cuts, intake, meta. ARGV: first
// The cut's job exists: forget the cut, trim what no cut needs any more.
export const INTAKE_COMMIT = new LuaScript(
  `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq), ms
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local minId = nil
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if minId == nil or less(id, minId) then minId = id end
end
if minId == nil then
  -- Kept as text: entry ids hold millisecond timestamps that %d formatting need not survive.
  local _, seq, msText = parse(redis.call('HGET', KEYS[3], 'cursor') or '0-0')
  minId = msText .. '-' .. tostring(seq + 1)
end
redis.call('XTRIM', KEYS[2], 'MINID', minId)
return 1
`,
  3,
);

// KEYS: inflight, meta, settled. ARGV: requestId, acceptedRecords, retentionMs
// The API answered the chunk: out of flight, remembered as settled (once), counted (once).
export const INTAKE_SETTLE = new LuaScript(
  `${NOW}
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('ZADD', KEYS[3], 'NX', now, ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[2], 'accepted', ARGV[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[3]))
return 1
`,
  3,
);

// KEYS: inflight. ARGV: requestId. A chunk failed for good: it no longer holds the batcher back.
export const INTAKE_FAIL = new LuaScript(`return redis.call('SREM', KEYS[1], ARGV[1])`, 1);
