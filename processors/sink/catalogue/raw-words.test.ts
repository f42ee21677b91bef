import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openClickHouse, type ClickHouse } from '../../../core/clickhouse.js';
import { freshName } from '../../../test/support/fresh.js';
import { testDataDir, testLog } from '../../../test/support/stack.js';
import { rawWords, RAW_WORDS_INDEXED, wholeWordsWithin } from './raw-words.js';

const TEXTS = [
  '{"actor":{"alternateId":"Alice.Smith@Example.com"},"client":{"ipAddress":"10.0.0.7"}}',
  'Relatório anual de ÉLODIE — draft_v2 (final)',
  'tabs\tand\nnewlines, ünïcödé, 日本語テキスト, emoji 🙂ok',
  '', '...', 'a', 'x_y-z.w/0',
];

describe('raw words', () => {
  let ch: ClickHouse;
  before(async () => {
    ch = await openClickHouse({ dataDir: testDataDir(), database: freshName('raw_words'), log: testLog });
  });
  after(async () => ch?.close());

  test('are cut and lower-cased as the engine cuts the raw record for its word index', async () => {
    for (const text of TEXTS) {
      const raw = text;
      const [row] = await ch.query<{ words: string[] }>(`SELECT arrayDistinct(tokens(${RAW_WORDS_INDEXED}, 'splitByNonAlpha')) AS words FROM (SELECT {raw:String} AS raw)`, { raw });
      assert.deepEqual([...rawWords(text)].sort(), [...row!.words].sort(), JSON.stringify(text));
    }
  });
});

test('the whole words within a text are whole words of every text that contains it, in any case', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'aB9 .-@_é日';
  for (let n = 0; n < 2000; n++) {
    const text = Array.from({ length: 5 + Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const from = Math.floor(rnd() * text.length);
    const part = text.slice(from, from + 1 + Math.floor(rnd() * (text.length - from)));
    const words = new Set(rawWords(text));
    for (const w of wholeWordsWithin(rnd() < 0.5 ? part.toUpperCase() : part)) assert.ok(words.has(w), `${JSON.stringify(w)} of ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
  }
  assert.deepEqual(wholeWordsWithin('mith@example.co'), ['example']);
  assert.deepEqual(wholeWordsWithin('alice'), []);
  assert.deepEqual(wholeWordsWithin(' Alice '), ['alice']);
  assert.deepEqual(wholeWordsWithin('.Élodie.'), [], 'non-ASCII words are left to the substring test');
});
