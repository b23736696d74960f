const BITS = 1 << 20;
const MASK = BITS - 1;

function trigramHash(text: string, i: number): number {
  return (
    (((text.charCodeAt(i) * 961 + text.charCodeAt(i + 1) * 31 + text.charCodeAt(i + 2)) * 2654435761) >>>
      12) &
    MASK
  );
}

/**
 * Answers "does this lower-case text contain that literal?" for thousands of
 * literals per page. A bitset of the text's trigrams rejects almost every
 * absent literal after a few lookups; only the rest pay for a real search.
 */
export class TextIndex {
  readonly text: string;
  readonly #bits = new Uint32Array(BITS >>> 5);
  readonly #answers = new Map<string, boolean>();

  constructor(lowerText: string) {
    this.text = lowerText;
    for (let i = 0; i + 2 < lowerText.length; i++) {
      const hash = trigramHash(lowerText, i);
      this.#bits[hash >>> 5]! |= 1 << (hash & 31);
    }
  }

  /** `literal` must already be lower-case. */
  contains(literal: string): boolean {
    let answer = this.#answers.get(literal);
    if (answer === undefined) {
      answer = this.#mayContain(literal) && this.text.includes(literal);
      this.#answers.set(literal, answer);
    }
    return answer;
  }

  #mayContain(literal: string): boolean {
    for (let i = 0; i + 2 < literal.length; i++) {
      const hash = trigramHash(literal, i);
      if ((this.#bits[hash >>> 5]! & (1 << (hash & 31))) === 0) return false;
    }
    return true;
  }
}
