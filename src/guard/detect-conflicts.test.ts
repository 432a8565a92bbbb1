import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Passage } from '../spec/index.ts';
import { CONFLICT_NOTE_PREFIX, conflictNote, detectConflicts } from './detect-conflicts.ts';

let counter = 0;
function passage(text: string, documentMetadata: Passage['documentMetadata'] = {}, docId?: string): Passage {
  counter += 1;
  return {
    n: counter,
    chunkId: `${docId ?? `doc-${counter}`}#0`,
    docId: docId ?? `doc-${counter}`,
    source: `${docId ?? `doc-${counter}`}.md`,
    title: `Document ${counter}`,
    text,
    score: 1,
    metadata: {},
    documentMetadata,
  };
}

/** Numbers the passages from 1, as the engine does. */
function numbered(...passages: Passage[]): Passage[] {
  return passages.map((p, index) => ({ ...p, n: index + 1 }));
}

test('numbers: the same claim with a different number is a conflict, cited on both sides', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('Audit logs are kept for 90 days in the primary region. Access is logged.'),
      passage('Audit logs are kept for 365 days in the primary region.'),
    ),
  );
  assert.equal(conflicts.length, 1);
  const [conflict] = conflicts;
  assert.deepEqual(
    conflict?.values.map((v) => [v.value, v.citations, v.docIds]),
    [
      ['90', [1], ['doc-1']],
      ['365', [2], ['doc-2']],
    ],
  );
  assert.match(conflict?.subject ?? '', /audit logs are kept for/i);
  assert.equal(conflict?.newer, undefined);
});

test('dates: a different date for the same event is a conflict; the document dates say which is newer', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('The Kelderwick harvest fair opened on February 7, 2021, at Marlow Park.', {
        updated: '2021-01-10',
      }),
      passage('The Kelderwick harvest fair opened on February 14, 2021, at Marlow Park.', {
        date: '2021-02-20',
      }),
    ),
  );
  assert.equal(conflicts.length, 1);
  assert.deepEqual(
    conflicts[0]?.values.map((v) => [v.value, v.date]),
    [
      ['February 7, 2021', '2021-01-10'],
      ['February 14, 2021', '2021-02-20'],
    ],
  );
  assert.deepEqual(conflicts[0]?.newer, {
    value: 'February 14, 2021',
    citations: [2],
    date: '2021-02-20',
    basis: 'date',
  });
});

test('a dateline at the start of a passage dates it', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('Feb 5, 2022 ... The Ostvale rowing club won 39 trophies in 2018, more than any other club.'),
      passage('Mar 1, 2023 ... The Ostvale rowing club won 37 trophies in 2018, more than any other club.'),
    ),
  );
  assert.equal(conflicts.length, 1);
  assert.deepEqual(
    conflicts[0]?.values.map((v) => [v.value, v.date]),
    [
      ['39', '2022-02-05'],
      ['37', '2023-03-01'],
    ],
  );
  assert.equal(conflicts[0]?.newer?.value, '37');
});

test('names: a different proper noun in the same claim is a conflict, multi-word names kept whole', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('The final was played at Harlow Arena in Millbrook, Oregon, the home ground of the Otters.'),
      passage('The final was played at Harlow Arena in Ashford, Nevada, the home ground of the Otters.'),
      passage('U.S. set the record for the most kites flown at a single Windmere Festival with 39.'),
      passage('Norway set the record for the most kites flown at a single Windmere Festival with 39.'),
    ),
  );
  assert.deepEqual(
    conflicts.map((c) => c.values.map((v) => [v.value, v.citations])),
    [
      [
        ['Millbrook, Oregon', [1]],
        ['Ashford, Nevada', [2]],
      ],
      [
        ['U.S.', [3]],
        ['Norway', [4]],
      ],
    ],
  );
});

test('versions: a different version for the same release is a conflict', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('The current stable release of the agent is v2.4.1 and it supports Linux.'),
      passage('The current stable release of the agent is v2.5.0 and it supports Linux.'),
    ),
  );
  assert.deepEqual(
    conflicts.map((c) => c.values.map((v) => v.value)),
    [['v2.4.1', 'v2.5.0']],
  );
});

test('no conflict between two sentences about different subjects', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('The 2018 Brindle Fair was held in Ostvale, North Marren.'),
      passage('The 2022 Brindle Fair was held in Kelderwick, South Marren.'),
      passage('Session tokens expire after 30 days of inactivity.'),
      passage('Refresh tokens expire after 90 days of inactivity.'),
      passage('Harvest Cup IV was played at Quarry Field in Ashford, Nevada.'),
      passage('Harvest Cup III was played at Harlow Arena in Millbrook, Oregon.'),
    ),
  );
  assert.deepEqual(conflicts, []);
});

test('no conflict when the sentences also differ in a value at their start (another subject)', () => {
  const conflicts = detectConflicts(
    numbered(
      passage(
        'Worked cost example at $3 per million input tokens and $15 per million output tokens: a run costs $0.165.',
      ),
      passage(
        'With a small model priced at $0.15 per million input tokens and $0.60 per million output tokens:',
      ),
    ),
  );
  assert.deepEqual(conflicts, []);
});

test('no conflict when the same value is written differently', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('The Ostvale rowing club won 39 trophies at the 2018 regatta, the most of any club.'),
      passage('The Ostvale rowing club won thirty-nine trophies at the 2018 regatta, the most of any club.'),
      passage('The free plan allows 1,000 requests per day for each project.'),
      passage('The free plan allows 1000 requests per day for each project.'),
      passage('The Kelderwick harvest fair opened on February 7, 2021, at Marlow Park.'),
      passage('The Kelderwick harvest fair opened on Feb. 7, 2021, at Marlow Park.'),
      passage('The Kelderwick harvest fair opened on 7 February 2021 at Marlow Park.'),
    ),
  );
  assert.deepEqual(conflicts, []);
});

test('no conflict within one document, nor between unrelated sentences', () => {
  const conflicts = detectConflicts(
    numbered(
      passage('In 2023 the limit was 5 requests per second.', {}, 'changelog'),
      passage('In 2023 the limit was 10 requests per second.', {}, 'changelog'),
      passage('The Ostvale rowing club won 16 gold medals.'),
      passage('Backups run every 24 hours and are kept for 35 days.'),
    ),
  );
  assert.deepEqual(conflicts, []);
});

test('superseded_by front matter marks the newer side', () => {
  const conflicts = detectConflicts(
    numbered(
      passage(
        'Audit logs are kept for 90 days.',
        { superseded_by: 'policies/retention-2025.md' },
        'policies/retention-2023.md',
      ),
      passage('Audit logs are kept for 400 days.', { updated: '2025-01-01' }, 'policies/retention-2025.md'),
    ),
  );
  assert.equal(conflicts.length, 1);
  assert.deepEqual(conflicts[0]?.newer, {
    value: '400',
    citations: [2],
    date: '2025-01-01',
    basis: 'superseded_by',
  });
});

test('with a question, only conflicts about it are kept', () => {
  const passages = numbered(
    passage('Audit logs are kept for 90 days in the primary region.'),
    passage('Audit logs are kept for 365 days in the primary region.'),
  );
  assert.equal(detectConflicts(passages, { question: 'How long are audit logs kept?' }).length, 1);
  assert.equal(detectConflicts(passages, { question: 'Who owns the billing service?' }).length, 0);
});

test('the note names both values with their citations and the newer one', () => {
  const [conflict] = detectConflicts(
    numbered(
      passage('Audit logs are kept for 90 days.', { updated: '2023-05-01' }),
      passage('Audit logs are kept for 365 days.', { updated: '2025-02-01' }),
    ),
  );
  assert.ok(conflict);
  const note = conflictNote([conflict]);
  assert.ok(note.startsWith(CONFLICT_NOTE_PREFIX), note);
  assert.match(note, /\[1\] says 90/);
  assert.match(note, /\[2\] says 365/);
  assert.match(note, /newer: \[2\], 2025-02-01/);
});

test('a word that is also a property name of plain objects is a word, not a number', () => {
  // "constructor" once read as a spelled-out number (a prototype key of the number-word table).
  const conflicts = detectConflicts(
    numbered(
      passage('The build calls the constructor of each plugin before the first request.'),
      passage('The build calls the ten of each plugin before the first request.'),
    ),
  );
  assert.deepEqual(conflicts, []);
});
