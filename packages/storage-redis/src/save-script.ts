import { createHash } from "node:crypto";

/**
 * Writes one vCon atomically. Runs inside Redis so that keeping the stored created_at (when the new
 * document has none) is correct even when two clients save the same uuid at once.
 * KEYS: doc, meta, created-set. ARGV: uuid, json, createdAtMs or "", nowMs, meta json, ttl seconds or "".
 * The created-set score is the only home of created_at; meta holds subject and parties.
 */
export const SAVE_SCRIPT = `
local created = ARGV[3]
if created == "" then
  local old = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if old and redis.call('EXISTS', KEYS[1]) == 1 then created = old else created = ARGV[4] end
end
if ARGV[6] ~= "" then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[6])
  redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[6])
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[2], ARGV[5])
end
redis.call('ZADD', KEYS[3], created, ARGV[1])
return 1
`;

/**
 * Removes index members whose meta key is gone, checking inside Redis so that a uuid re-saved since the
 * caller looked is kept. KEYS: created-set. ARGV: meta key, uuid, meta key, uuid, ...
 * Returns the uuids removed.
 */
export const PRUNE_SCRIPT = `
local removed = {}
for i = 1, #ARGV, 2 do
  if redis.call('EXISTS', ARGV[i]) == 0 and redis.call('ZREM', KEYS[1], ARGV[i + 1]) == 1 then
    removed[#removed + 1] = ARGV[i + 1]
  end
end
return removed
`;

/** What EVALSHA calls the save script by. */
export const SAVE_SHA = createHash("sha1").update(SAVE_SCRIPT).digest("hex");
