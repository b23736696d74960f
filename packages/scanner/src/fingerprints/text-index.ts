/** The bitset grows with the text up to this many bits (128 KiB): a URL does not pay for a page's index. */
const MAX_BITS = 1 << 20;
const MIN_BITS = 1 << 10;
/** Bits per trigram of text: the bitset stays ~1/16 full, so ~94% of absent trigrams are rejected. */
const BITS_PER_TRIGRAM = 16;

/** A 32-bit multiplicative hash of the trigram at `i`; an index keeps its top bits. */
export function trigramHash(text: string, i: number): number {
  const trigram = text.charCodeAt(i) * 961 + text.charCodeAt(i + 1) * 31 + text.charCodeAt(i + 2);
  return Math.imul(trigram, 0x9e3779b1) >>> 0;
}

/** The hashes of every trigram of `literal`, computed once when the rules are compiled. */
export function literalTrigramHashes(literal: string): number[] {
  const hashes: number[] = [];
  for (let i = 0; i + 2 < literal.length; i++) hashes.push(trigramHash(literal, i));
  return hashes;
}

/**
 * Answers "does this lower-case text contain that literal?" for thousands of
 * literals per page. A bitset of the text's trigrams rejects almost every
 * absent literal after a few lookups; only the rest pay for a real search.
 */
export class TextIndex {
  readonly text: string;
  readonly #bits: Uint32Array;
  /** 32 minus log2 of the bitset's size: a hash's top bits address the bitset. */
  readonly #shift: number;

  constructor(lowerText: string) {
    this.text = lowerText;
    let size = MIN_BITS;
    while (size < MAX_BITS && size < lowerText.length * BITS_PER_TRIGRAM) size *= 2;
    this.#bits = new Uint32Array(size >>> 5);
    this.#shift = 32 - Math.log2(size);
    for (let i = 0; i + 2 < lowerText.length; i++) {
      const bit = trigramHash(lowerText, i) >>> this.#shift;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** `literal` must already be lower-case. */
  contains(literal: string): boolean {
    return this.containsHashed(literal, literalTrigramHashes(literal), 0, literal.length - 2);
  }

  /**
   * `contains` for a literal whose trigram hashes were computed beforehand:
   * `hashes[from..to)` are its hashes (several literals share one array).
   */
  containsHashed(literal: string, hashes: ArrayLike<number>, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const bit = hashes[i]! >>> this.#shift;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return this.text.includes(literal);
  }
}
