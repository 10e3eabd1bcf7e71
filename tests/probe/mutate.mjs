// Deterministic randomness and byte-level mutations for the hostile-input probe (scripts/hostile_probe.mjs).
// Every case is a pure function of (seed, category, index): a finding reproduces from its name alone.

/** mulberry32: a small seeded PRNG; next() in [0, 1). */
export function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

/** A seed per (run seed, category, case index), so categories do not shift each other. */
export function caseSeed(seed, category, index) {
  let h = 2166136261 ^ seed;
  for (const c of `${category}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const HUGE_VARINT = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Generic mutations of a binary file: returns [name, bytes]. */
export function mutateBytes(rng, input) {
  const bytes = Uint8Array.from(input);
  const at = () => rng.int(Math.max(1, bytes.length));
  switch (rng.int(8)) {
    case 0: { // flip 1..8 bits
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; ++i) bytes[at()] ^= 1 << rng.int(8);
      return [`flip${n}`, bytes];
    }
    case 1: { // truncate
      const len = rng.chance(0.3) ? rng.int(64) : rng.int(bytes.length);
      return [`truncate@${len}`, bytes.slice(0, len)];
    }
    case 2: { // a byte to a boundary value
      const i = at();
      bytes[i] = rng.pick([0, 0x7f, 0x80, 0xff]);
      return [`byte@${i}=${bytes[i]}`, bytes];
    }
    case 3: { // a huge varint spliced in
      const i = at();
      return [`varint@${i}`, Uint8Array.from([...bytes.subarray(0, i), ...HUGE_VARINT, ...bytes.subarray(i)])];
    }
    case 4: { // a little-endian u32 set to an interesting value (offsets, lengths, counts)
      const i = Math.max(0, at() & ~3);
      const v = rng.pick(INTERESTING_U32);
      if (i + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(i, v, true);
      return [`u32@${i}=${v}`, bytes];
    }
    case 5: { // a chunk duplicated
      const i = at();
      const n = 1 + rng.int(256);
      return [`dup@${i}+${n}`, Uint8Array.from([...bytes.subarray(0, i + n), ...bytes.subarray(i, i + n), ...bytes.subarray(i)])];
    }
    case 6: { // a chunk removed
      const i = at();
      const n = 1 + rng.int(256);
      return [`cut@${i}+${n}`, Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + n)])];
    }
    default: { // several random bytes
      const n = 1 + rng.int(16);
      for (let k = 0; k < n; ++k) bytes[at()] = rng.int(256);
      return [`rand${n}`, bytes];
    }
  }
}

/** Protobuf-aware: a length-delimited field's length (found by scanning for tag bytes) set to a lie. */
export function mutateProtobufLength(rng, input) {
  const bytes = Uint8Array.from(input);
  const candidates = [];
  for (let i = 0; i + 1 < bytes.length && candidates.length < 4096; ++i) {
    if ((bytes[i] & 7) === 2 && bytes[i] >> 3 >= 1 && bytes[i] >> 3 <= 15 && bytes[i + 1] < 0x80 && bytes[i + 1] > 0) candidates.push(i + 1);
  }
  if (!candidates.length) return mutateBytes(rng, input);
  const i = rng.pick(candidates);
  const lie = rng.pick([[0x00], [0x7f], [0xff, 0xff, 0xff, 0xff, 0x0f], HUGE_VARINT, [bytes[i] + 1], [Math.max(0, bytes[i] - 1)]]);
  return [`pblen@${i}=${lie.map((b) => b.toString(16)).join('')}`, Uint8Array.from([...bytes.subarray(0, i), ...lie, ...bytes.subarray(i + 1)])];
}
