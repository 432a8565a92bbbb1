import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { porterStem } from './porter-stem.ts';
import { queryTerms } from './query-terms.ts';
import { tokenize } from './tokenize.ts';

/** Tokens SQLite's FTS5 `porter unicode61` tokenizer emits for each text, via fts5vocab. */
function fts5Tokens(texts: string[]): string[][] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61');
             CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance');`);
    const insert = db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)');
    texts.forEach((text, index) => {
      insert.run(index + 1, text);
    });
    const rows = db.prepare('SELECT doc, term FROM v ORDER BY doc, offset').all() as {
      doc: number;
      term: string;
    }[];
    const tokens = texts.map((): string[] => []);
    for (const row of rows) tokens[row.doc - 1]?.push(row.term);
    return tokens;
  } finally {
    db.close();
  }
}

test('the Porter stemmer gives the stems of the published algorithm', () => {
  const stems: [string, string][] = [
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['cats', 'cat'],
    ['agreed', 'agre'],
    ['feed', 'feed'],
    ['plastered', 'plaster'],
    ['motoring', 'motor'],
    ['hopping', 'hop'],
    ['filing', 'file'],
    ['happy', 'happi'],
    ['relational', 'relat'],
    ['generalizations', 'gener'],
    ['electrical', 'electr'],
    ['adoption', 'adopt'],
    ['controlling', 'control'],
    ['roll', 'roll'],
    ['as', 'as'],
  ];
  for (const [word, stem] of stems) assert.equal(porterStem(word), stem, word);
});

test('tokens equal those of SQLite FTS5 porter unicode61, including case, diacritics and edge lengths', () => {
  const words = [
    'Running RUNS ran',
    'sses ies eed bleed',
    'Ébahissements naïvetés généralisation Mössbauer Øresund straße',
    'µg/mL α-helix β-cells ΣΊΣΥΦΟΣ ſtyle',
    'e\u0301cole cafe\u0301s', // decomposed accents
    `${'a'.repeat(61)}ing ${'a'.repeat(62)}ing`, // 64 and 65 bytes: stemmed, then passed through
    'x1y2z3 2020s IL-6 TNF-α p<0.05 CD4+ T-cells',
    "don't e-mail foo_bar foo.bar 3.14 ½ ²",
    'ﬁnance Ǆemal ǅ İstanbul ı',
    'vietnamization hopefulness sensibiliti triplicate formalize bowdlerize',
    '日本語のテキスト 한국어 текст على',
  ];
  const expected = fts5Tokens(words);
  words.forEach((text, index) => {
    assert.deepEqual(tokenize(text), expected[index], text);
  });
});

test('query terms drop stop words and keep words that share a stem as separate terms, as FTS5 OR queries do', () => {
  assert.deepEqual(queryTerms('The running of the runs, and RUNNING'), [{ term: 'run', weight: 2 }]);
  assert.deepEqual(queryTerms('"NEAR( OR) AND* -:^'), [{ term: 'near', weight: 1 }]);
  assert.deepEqual(queryTerms('the of and'), []);
});
