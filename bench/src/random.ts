/** A small seeded PRNG (mulberry32): the same seed gives the same documents on every machine. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i += 4) {
      const word = (this.next() * 4294967296) >>> 0;
      out[i] = word & 0xff;
      if (i + 1 < length) out[i + 1] = (word >>> 8) & 0xff;
      if (i + 2 < length) out[i + 2] = (word >>> 16) & 0xff;
      if (i + 3 < length) out[i + 3] = word >>> 24;
    }
    return out;
  }

  /** A version-4-shaped uuid from the generator, so uuids are reproducible too. */
  uuid(): string {
    const hex = this.bytes(16).toString("hex").split("");
    hex[12] = "4";
    hex[16] = "89ab"[this.int(4)]!;
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
