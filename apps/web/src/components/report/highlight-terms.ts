const WORD = /[A-Za-z0-9][\w.\-/:@]*[\w]|[A-Za-z0-9]/g;
const QUOTED = /["“'‘`]([^"”'’`]{2,80})["”'’`]/g;

/**
 * The concrete facts of a citing sentence worth marking in the evidence
 * snippet: quoted text, anything with a digit (versions, numbers), and
 * names (capitalised mid-sentence, or with inner capitals, dots or dashes —
 * WordPress, nginx/1.22.1, X-Powered-By). Plain words would mark half the snippet.
 */
export function factTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const match of text.matchAll(QUOTED)) terms.add(match[1]!);
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const atSentenceStart = match.index === 0 || /[.!?:]\s+$/.test(text.slice(0, match.index));
    const name =
      /[A-Z]/.test(word.slice(1)) || /[.\-/]/.test(word) || (/^[A-Z]/.test(word) && !atSentenceStart);
    if (word.length >= 2 && (/\d/.test(word) || name)) terms.add(word.replace(/[.:]+$/, ""));
  }
  return [...terms];
}
