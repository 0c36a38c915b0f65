import { LuaScript } from '../redis/lua-script.js';

/**
 * Lua of the global limiter. Keys (one hash tag, so one Cluster slot):
 *   log   sorted set of bookings; member "<seq>:<records>", score = booked start (Redis epoch ms)
 *   state hash: factor, storedAt, lastCutAt (AIMD, see aimd.ts), pausedUntil, seq;
 *         window, windowUntil, spread: the widest window a process asked for in the last
 *         WINDOW_REPORT_MS (its margin follows the spread it measured, path-spread.ts), so
 *         every process judges every booking by the widest window any of them needs;
 *         windowMeasured: '0' when that window is the cautious one of a process that has not
 *         measured its path yet, which a measured window replaces even when narrower
 * Every script reads Redis TIME, so no process's clock matters. Numbers go back as integers
 * or strings: RESP turns Lua floats into integers.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Same formula as aimd.ts factorAt; ARGV index of recoveryPerSecond varies, so it is passed in.
// The rate stored with the factor (the state hash is KEYS[2] in every script) wins over it.
const FACTOR = `local function factor_at(st, recovery)
  if not st[1] then return 1 end
  local elapsed = math.max(0, now - tonumber(st[2]))
  local rate = tonumber(redis.call('HGET', KEYS[2], 'rate') or recovery)
  return math.min(1, tonumber(st[1]) + rate * elapsed / 1000)
end
local function ceiling(max, factor) return math.max(1, math.floor(max * factor + 1e-9)) end`;

/** How long a process's window report counts when no process repeats it. */
export const WINDOW_REPORT_MS = 3_000;

// The window in use: the caller's, or a wider one another process measured and reported
// recently. A caller that has not measured its path yet (measured '0', its w the cautious
// cap) takes any recent report instead: the processes of one deployment reach the same hosts,
// so one that has measured them speaks for the rest; with no recent report it keeps the cap.
const SHARED_WINDOW = `local function window_in_use(state, w, measured)
  local sh = redis.call('HMGET', state, 'window', 'windowUntil', 'windowMeasured')
  if sh[1] and tonumber(sh[2]) > now then
    local reported = tonumber(sh[1])
    if measured == '0' then return reported end
    if sh[3] ~= '0' and reported > w then return reported end
  end
  return w
end`;

// KEYS: log, state. ARGV: records, horizonMs, maxRequests, maxRecords, windowMs, recoveryPerSecond[, spreadMs, measured ('1' unless '0')]
// windowMs is the caller's (1000 + its margin); the walk uses the widest recent one (SHARED_WINDOW),
// and the caller's is reported when it is that widest or the last report has lapsed.
// → { 1, start, now, member } booked, or { 0, retryInMs, now, start, room } refused (nothing
//   written but the trim); room = the most records one request could book to start within the
//   horizon: the largest room at the walk's steps within it (test/limiter/booking-rule.ts largestRoom gives
//   the same number). The walk is test/limiter/booking-rule.ts
//   earliestStart: a request may fill a gap before bookings already made when no window
//   holding it, its own or a later booking's, goes over.
export const BOOK = new LuaScript(
  `${NOW}
${FACTOR}
${SHARED_WINDOW}
local records = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local w = window_in_use(KEYS[2], tonumber(ARGV[5]), ARGV[8])
if w == tonumber(ARGV[5]) then redis.call('HSET', KEYS[2], 'window', ARGV[5], 'windowUntil', now + ${WINDOW_REPORT_MS}, 'spread', ARGV[7] or '0', 'windowMeasured', ARGV[8] or '1') end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - w)
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt', 'pausedUntil')
local factor = factor_at(st, tonumber(ARGV[6]))
local max_req = ceiling(tonumber(ARGV[3]), factor)
local max_rec = ceiling(tonumber(ARGV[4]), factor)
local e = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local n = #e / 2
local s, r = {}, {}
for i = 1, n do
  s[i] = tonumber(e[2 * i])
  r[i] = tonumber(string.match(e[2 * i - 1], ':(%d+)$'))
end
local lq, lr = {}, {}
local left, right, count, sum = 1, 1, 0, 0
for j = 1, n do
  while right <= n and s[right] <= s[j] do count = count + 1; sum = sum + r[right]; right = right + 1 end
  while s[left] <= s[j] - w do count = count - 1; sum = sum - r[left]; left = left + 1 end
  lq[j] = count
  lr[j] = sum
end
local tq, tr = {}, {}
tq[n + 1] = 0
tr[n + 1] = 0
for j = n, 1, -1 do
  tq[j] = math.max(lq[j], tq[j + 1])
  tr[j] = math.max(lr[j], tr[j + 1])
end
local first, upto, beyond, nxt = 1, 1, 1, 1
count, sum = 0, 0
local start = math.max(now, tonumber(st[3] or '0'))
local room = 0
while true do
  while upto <= n and s[upto] <= start do count = count + 1; sum = sum + r[upto]; upto = upto + 1 end
  while first < upto and s[first] <= start - w do count = count - 1; sum = sum - r[first]; first = first + 1 end
  beyond = math.max(beyond, upto)
  while beyond <= n and s[beyond] < start + w do beyond = beyond + 1 end
  local later_q, later_r = 0, 0
  if beyond > n then
    later_q = tq[upto]
    later_r = tr[upto]
  else
    for j = upto, beyond - 1 do
      later_q = math.max(later_q, lq[j])
      later_r = math.max(later_r, lr[j])
    end
  end
  if start - now <= horizon and math.max(count, later_q) + 1 <= max_req then room = math.max(room, max_rec - math.max(sum, later_r)) end
  local fits
  if records > max_rec then
    fits = (count == 0 and beyond == upto)
  else
    fits = (math.max(count, later_q) + 1 <= max_req and math.max(sum, later_r) + records <= max_rec)
  end
  if fits then break end
  while s[nxt] + w <= start do nxt = nxt + 1 end
  start = s[nxt] + w
end
if start - now > horizon then return { 0, start - now - horizon, now, start, room } end
local member = redis.call('HINCRBY', KEYS[2], 'seq', 1) .. ':' .. ARGV[1]
redis.call('ZADD', KEYS[1], start, member)
-- The log lives a window past its latest booking: this one or the last already there.
local latest = start
if n > 0 and s[n] > latest then latest = s[n] end
redis.call('PEXPIRE', KEYS[1], latest - now + w + 1000)
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

// KEYS: log, state. ARGV: member, maxRequests, maxRecords, windowMs, recoveryPerSecond, sentAtMost, measured.
// The request is on the wire: a booking whose request went out later than booked moves to
// the real sending time (sentAtMost: the holder's bound on it, from its confirmation's Redis
// time plus its local clock since, so a busy Redis or event loop between the write and this
// script does not push it later; never past Redis now), and the bookings after it that this
// move pushed over a ceiling are dropped (their holders, not yet confirmed, book again), so
// the log holds every request that left at no earlier time than it left, and every window
// stays exact. The walk is test/limiter/booking-rule.ts bumpedAfterMove, line for line.
// → { msLate, displaced, now } (0, 0 when on time or the booking is gone)
export const SENT = new LuaScript(
  `${NOW}
${FACTOR}
${SHARED_WINDOW}
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return { 0, 0, now } end
s = tonumber(s)
local at = math.min(now, tonumber(ARGV[6]))
if at <= s then return { 0, 0, now } end
redis.call('ZADD', KEYS[1], 'XX', at, ARGV[1])
local w = window_in_use(KEYS[2], tonumber(ARGV[4]), ARGV[7])
if redis.call('PTTL', KEYS[1]) < w + 1000 then redis.call('PEXPIRE', KEYS[1], w + 1000) end
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt')
local factor = factor_at(st, tonumber(ARGV[5]))
local max_req = ceiling(tonumber(ARGV[2]), factor)
local max_rec = ceiling(tonumber(ARGV[3]), factor)
local e = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - w), '+inf', 'WITHSCORES')
local ks, kr, bumped = {}, {}, {}
local kept, left, count, sum = 0, 1, 0, 0
for i = 1, #e / 2 do
  local member = e[2 * i - 1]
  local start = tonumber(e[2 * i])
  local records = tonumber(string.match(member, ':(%d+)$'))
  while left <= kept and ks[left] <= start - w do count = count - 1; sum = sum - kr[left]; left = left + 1 end
  if start > now and not (count + 1 <= max_req and (sum + records <= max_rec or count == 0)) then
    bumped[#bumped + 1] = member
  else
    kept = kept + 1
    ks[kept] = start
    kr[kept] = records
    count = count + 1
    sum = sum + records
  end
end
for i = 1, #bumped, 1000 do redis.call('ZREM', KEYS[1], unpack(bumped, i, math.min(i + 999, #bumped))) end
return { at - s, #bumped, now }
`,
  2,
);

// KEYS: log. ARGV: member. Gives an unused booking back (abort, shutdown).
export const RELEASE = new LuaScript(`return redis.call('ZREM', KEYS[1], ARGV[1])`, 1);

// KEYS: log, state. ARGV: retryAfterMs ('' = none), decrease, floor, recoveryPerSecond, holdMs,
//   fastRecoveryPerSecond, calmMs
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
  -- aimd.ts afterPenalty: an isolated 429 holds, then climbs fast; a repeated one climbs slowly now.
  if not st[4] or now - tonumber(st[4]) >= tonumber(ARGV[7]) then
    redis.call('HSET', KEYS[2], 'factor', string.format('%.17g', factor), 'storedAt', now + tonumber(ARGV[5]), 'lastCutAt', now, 'rate', ARGV[6])
  else
    redis.call('HSET', KEYS[2], 'factor', string.format('%.17g', factor), 'storedAt', now, 'lastCutAt', now, 'rate', ARGV[4])
  end
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

// KEYS: log, state. ARGV: windowMs, recoveryPerSecond, measured
// → { requests, records, factor (string), pausedUntil (0 = not paused), now, window in use, spread reported with it }
export const USAGE = new LuaScript(
  `${NOW}
${FACTOR}
${SHARED_WINDOW}
local w = window_in_use(KEYS[2], tonumber(ARGV[1]), ARGV[3])
local report = redis.call('HMGET', KEYS[2], 'windowUntil', 'spread')
local spread = 0
if report[1] and tonumber(report[1]) > now then spread = tonumber(report[2] or '0') end
local e = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - w), now)
local sum = 0
for i = 1, #e do sum = sum + tonumber(string.match(e[i], ':(%d+)$')) end
local st = redis.call('HMGET', KEYS[2], 'factor', 'storedAt', 'pausedUntil')
local paused = tonumber(st[3] or '0')
if paused <= now then paused = 0 end
return { #e, sum, string.format('%.17g', factor_at(st, tonumber(ARGV[2]))), paused, now, w, spread }
`,
  2,
);
