/**
 * The words of the provider's raw record, as the `idx_raw_words` text index of `activities` cuts them:
 * the index splits `lowerUTF8(raw)` with the engine's `splitByNonAlpha` tokenizer, for which a word is a
 * run of ASCII letters and digits and of any non-ASCII character (every other character separates words).
 */
export const RAW_WORDS_INDEXED = 'lowerUTF8(raw)';
export const RAW_WORDS_INDEX = `idx_raw_words ${RAW_WORDS_INDEXED} TYPE text(tokenizer = splitByNonAlpha)`;

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 0x80;
}

/** The words of a text, lower-cased and without repeats, cut as the index cuts the raw record. */
export function rawWords(text: string): string[] {
  const words = new Set<string>();
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const word = i < text.length && isWordChar(text.charCodeAt(i));
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      words.add(text.slice(start, i).toLowerCase());
      start = -1;
    }
  }
  return [...words];
}

/**
 * The words of `text` that a record containing it (case-insensitively) must hold whole: the ASCII ones with a
 * separator on each side inside `text` (the first and last may continue in the record: "mith@exam" is in
 * "smith@example"). Non-ASCII words are left out: the engine's case folding may not match JavaScript's.
 */
export function wholeWordsWithin(text: string): string[] {
  const words = new Set<string>();
  let start = -1;
  let ascii = true;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : -1;
    const word = code >= 0 && isWordChar(code);
    if (word && start < 0) {
      start = i;
      ascii = true;
    }
    if (word && code >= 0x80) ascii = false;
    if (!word && start >= 0) {
      if (start > 0 && code >= 0 && ascii) words.add(text.slice(start, i).toLowerCase());
      start = -1;
    }
  }
  return [...words];
}

/** The condition "the raw record has every one of these words", written as the index serves it. */
export function hasRawWords(param: string): string {
  return `hasAllTokens(${RAW_WORDS_INDEXED}, {${param}:Array(String)})`;
}
