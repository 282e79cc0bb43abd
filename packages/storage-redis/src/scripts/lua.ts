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
