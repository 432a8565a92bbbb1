import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRandom, randomDocument } from './__fixtures__/documents.ts';
import { splitSentences } from './split-sentences.ts';

const sentences = (text: string): string[] => splitSentences(text).map((sentence) => sentence.text);

describe('splitSentences', () => {
  test('splits plain sentences and returns offsets into the input', () => {
    const text = '  The first one. The second one!  And a third?\n';
    const spans = splitSentences(text);
    assert.deepEqual(
      spans.map((span) => span.text),
      ['The first one.', 'The second one!', 'And a third?'],
    );
    for (const span of spans) assert.equal(text.slice(span.start, span.end), span.text);
  });

  test('returns nothing for empty or blank text', () => {
    assert.deepEqual(splitSentences(''), []);
    assert.deepEqual(splitSentences(' \n\t \n'), []);
  });

  test('keeps a text without a terminator as one sentence', () => {
    assert.deepEqual(sentences('no terminator at all'), ['no terminator at all']);
  });

  test('does not split after titles and Latin or reference abbreviations', () => {
    assert.deepEqual(sentences('Dr. Smith met Mr. Jones and Mrs. Lee. Prof. Chan was late.'), [
      'Dr. Smith met Mr. Jones and Mrs. Lee.',
      'Prof. Chan was late.',
    ]);
    assert.deepEqual(sentences('Use a solvent, e.g. Water or i.e. Ethanol here. Then stop.'), [
      'Use a solvent, e.g. Water or i.e. Ethanol here.',
      'Then stop.',
    ]);
    assert.deepEqual(sentences('See Fig. 2 and Eq. 3 on p. 14, vs. Table 1. Done.'), [
      'See Fig. 2 and Eq. 3 on p. 14, vs. Table 1.',
      'Done.',
    ]);
    assert.deepEqual(sentences('It weighed approx. 5 kg. It cost ca. 10 euros.'), [
      'It weighed approx. 5 kg.',
      'It cost ca. 10 euros.',
    ]);
  });

  test('reads No., p. and month abbreviations as such before a number only', () => {
    assert.deepEqual(sentences('See No. 5 on p. 12, from Jan. 3. The answer was no. Then we left.'), [
      'See No. 5 on p. 12, from Jan. 3.',
      'The answer was no.',
      'Then we left.',
    ]);
  });

  test('treats et al. as a citation unless a new sentence clearly starts', () => {
    assert.deepEqual(sentences('Smith et al. showed this. Jones et al. (2020) did too.'), [
      'Smith et al. showed this.',
      'Jones et al. (2020) did too.',
    ]);
    assert.deepEqual(sentences('This was shown by Smith et al. The effect held.'), [
      'This was shown by Smith et al.',
      'The effect held.',
    ]);
  });

  test('does not split inside decimals, version numbers, URLs or e-mail addresses', () => {
    assert.deepEqual(sentences('Pi is 3.14 and p < .05 here. Version 1.2.3 shipped.'), [
      'Pi is 3.14 and p < .05 here.',
      'Version 1.2.3 shipped.',
    ]);
    assert.deepEqual(
      sentences('Visit https://example.com/a.b?c=d&e=f.html now. Mail john.doe@example.org. Thanks!'),
      ['Visit https://example.com/a.b?c=d&e=f.html now.', 'Mail john.doe@example.org.', 'Thanks!'],
    );
    assert.deepEqual(sentences('See www.example.co.uk. It works.'), ['See www.example.co.uk.', 'It works.']);
  });

  test('keeps initials with the name they belong to', () => {
    assert.deepEqual(sentences('J. K. Rowling wrote it. John F. Kennedy spoke. J.R.R. Tolkien too.'), [
      'J. K. Rowling wrote it.',
      'John F. Kennedy spoke.',
      'J.R.R. Tolkien too.',
    ]);
  });

  test('ends a sentence at a single capital when a typical sentence start follows', () => {
    assert.deepEqual(sentences('We added vitamin D. The effect was large.'), [
      'We added vitamin D.',
      'The effect was large.',
    ]);
    assert.deepEqual(sentences('It grew in the U.S. The U.S. Army left.'), [
      'It grew in the U.S.',
      'The U.S. Army left.',
    ]);
  });

  test('handles ellipses', () => {
    assert.deepEqual(sentences('Wait... what happened? And so… The end.'), [
      'Wait... what happened?',
      'And so…',
      'The end.',
    ]);
  });

  test('keeps closing quotes and brackets with their sentence', () => {
    assert.deepEqual(sentences('He said "Stop." Then he left. (See below.) It rained.'), [
      'He said "Stop."',
      'Then he left.',
      '(See below.)',
      'It rained.',
    ]);
    assert.deepEqual(sentences('She wrote “done.” We agreed.'), ['She wrote “done.”', 'We agreed.']);
    assert.deepEqual(sentences('It rose 5%.[12] Next came more.'), ['It rose 5%.[12]', 'Next came more.']);
  });

  test('handles ? and !, continuing when a lower-case word follows', () => {
    assert.deepEqual(sentences('Really?! Yes! "Why?" she asked. Stop!!! Go.'), [
      'Really?!',
      'Yes!',
      '"Why?" she asked.',
      'Stop!!!',
      'Go.',
    ]);
  });

  test('does not split before a lower-case word, but does before mRNA-style words', () => {
    assert.deepEqual(sentences('The dose was 5 mg. and then more. We measured levels. mRNA rose.'), [
      'The dose was 5 mg. and then more.',
      'We measured levels.',
      'mRNA rose.',
    ]);
  });

  test('breaks at blank lines and before list items, headings and table rows', () => {
    const text = [
      'Ingredients:',
      '- flour',
      '- two eggs',
      '1. mix well',
      '2) bake it',
      '# Notes',
      'A line that wraps',
      'onto the next line. Done',
      '',
      'New paragraph without a period',
      '| a | b |',
      '| 1 | 2 |',
    ].join('\n');
    assert.deepEqual(sentences(text), [
      'Ingredients:',
      '- flour',
      '- two eggs',
      '1. mix well',
      '2) bake it',
      '# Notes',
      'A line that wraps\nonto the next line.',
      'Done',
      'New paragraph without a period',
      '| a | b |',
      '| 1 | 2 |',
    ]);
  });

  test('continues an indented list item over its wrapped line', () => {
    assert.deepEqual(sentences('- a long item that\n  continues here\n- next item'), [
      '- a long item that\n  continues here',
      '- next item',
    ]);
  });

  test('does not end a sentence at a leading enumerator', () => {
    assert.deepEqual(sentences('1. Introduction to the topic. A. Methods used here. IV. Results.'), [
      '1. Introduction to the topic.',
      'A. Methods used here.',
      'IV. Results.',
    ]);
  });

  test('splits CJK sentences at full-width stops without spaces', () => {
    assert.deepEqual(sentences('你好。今天天气很好！你呢？'), ['你好。', '今天天气很好！', '你呢？']);
  });

  test('handles CRLF line endings', () => {
    assert.deepEqual(sentences('One line.\r\nTwo line.\r\n\r\nThree.'), ['One line.', 'Two line.', 'Three.']);
  });

  test('covers every non-space character exactly once, with trimmed spans, on random documents', () => {
    const random = createRandom(7);
    for (let d = 0; d < 40; d++) {
      const text = randomDocument(random, `d${d}`).text;
      const spans = splitSentences(text);
      let previousEnd = 0;
      for (const span of spans) {
        assert.equal(text.slice(span.start, span.end), span.text);
        assert.ok(span.text.length > 0);
        assert.equal(span.text, span.text.trim());
        assert.ok(span.start >= previousEnd, 'spans are ordered and disjoint');
        assert.equal(text.slice(previousEnd, span.start).trim(), '', 'nothing between spans but space');
        previousEnd = span.end;
      }
      assert.equal(text.slice(previousEnd).trim(), '');
    }
  });
});
