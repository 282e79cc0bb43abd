/** Redis Cluster's 16,384 hash slots. */
export const SLOT_COUNT = 16_384;

/** The hash slot of a key's hash tag text: CRC16 (XMODEM) mod 16,384, as Redis Cluster computes it. */
export function slotOf(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, "utf8")) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOT_COUNT;
}

/**
 * One hash tag per index shard, with slots spread evenly over the slot range: shard i's tag hashes into
 * the i-th of `count` equal slot ranges. Redis Cluster hands each master a contiguous slot range, so
 * the shards (and the vCons in them) spread over every master instead of wherever the hash falls.
 * The tags are a pure function of `count`: the same on every run and every machine.
 */
export function shardTags(count: number): string[] {
  const tags: string[] = [];
  for (let shard = 0; shard < count; shard++) {
    const low = Math.floor((shard * SLOT_COUNT) / count);
    const high = Math.floor(((shard + 1) * SLOT_COUNT) / count);
    for (let attempt = 0; ; attempt++) {
      const tag = `${shard}.${attempt}`;
      const slot = slotOf(tag);
      if (slot >= low && slot < high) {
        tags.push(tag);
        break;
      }
    }
  }
  return tags;
}
