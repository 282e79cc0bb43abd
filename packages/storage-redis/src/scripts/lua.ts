/**
 * Saves vCons atomically, one after another inside Redis, so that keeping the stored created_at (when a
 * document has none) is correct even when two clients save the same uuid at once, and no other client
 * sees part of a chunk. KEYS: created-set, then doc and meta of each vCon.
 * ARGV: nowMs, ttl seconds or "", then uuid, json, createdAtMs or "", meta json of each vCon.
 * The created-set score is the only home of created_at; meta holds subject and parties.
 */
export const SAVE_LUA = `
local now, ttl = ARGV[1], ARGV[2]
for i = 1, (#KEYS - 1) / 2 do
  local doc, meta = KEYS[2 * i], KEYS[2 * i + 1]
  local at = 3 + (i - 1) * 4
  local uuid, json, created, fields = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  if created == "" then
    local old = redis.call('ZSCORE', KEYS[1], uuid)
    if old and redis.call('EXISTS', doc) == 1 then created = old else created = now end
  end
  if ttl ~= "" then
    redis.call('SET', doc, json, 'EX', ttl)
    redis.call('SET', meta, fields, 'EX', ttl)
  else
    redis.call('SET', doc, json)
    redis.call('SET', meta, fields)
  end
  redis.call('ZADD', KEYS[1], created, uuid)
end
return (#KEYS - 1) / 2
`;

/**
 * Removes index members whose meta key is gone, checking inside Redis so that a uuid re-saved since the
 * caller looked is kept. KEYS: created-set, then the meta key of each candidate. ARGV: their uuids.
 * Returns the uuids removed.
 */
export const PRUNE_LUA = `
local removed = {}
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 and redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    removed[#removed + 1] = ARGV[i]
  end
end
return removed
`;

/**
 * One page of a created_at index in (score, member) order, strictly after a position: keyset paging,
 * so documents inserted or removed elsewhere in the index never make a scan skip or repeat one.
 * Members of equal score are ordered by member (uuid) in Redis too; the first one after the position
 * within its run of equal scores is found by binary search over ranks, so a page costs O(log² n).
 * KEYS: the index. ARGV: after-score or "" (start of the range), after-uuid, min score (inclusive, when
 * there is no after-score), max score ("(x" or "+inf"), page size. Returns uuid, score, uuid, score...
 */
export const PAGE_LUA = `
local key, count = KEYS[1], tonumber(ARGV[5])
local out = {}
local function append(flat)
  for i = 1, #flat do out[#out + 1] = flat[i] end
end
if ARGV[1] == "" then
  return redis.call('ZRANGEBYSCORE', key, ARGV[3], ARGV[4], 'WITHSCORES', 'LIMIT', 0, count)
end
local score, after = ARGV[1], ARGV[2]
local first = redis.call('ZRANGEBYSCORE', key, score, score, 'LIMIT', 0, 1)
if #first > 0 then
  local low = redis.call('ZRANK', key, first[1])
  local high = low + redis.call('ZCOUNT', key, score, score)
  local a, b = low, high
  while a < b do
    local mid = math.floor((a + b) / 2)
    if redis.call('ZRANGE', key, mid, mid)[1] <= after then a = mid + 1 else b = mid end
  end
  if a < high then append(redis.call('ZRANGE', key, a, math.min(high, a + count) - 1, 'WITHSCORES')) end
end
local left = count - #out / 2
if left > 0 then
  append(redis.call('ZRANGEBYSCORE', key, '(' .. score, ARGV[4], 'WITHSCORES', 'LIMIT', 0, left))
end
return out
`;
