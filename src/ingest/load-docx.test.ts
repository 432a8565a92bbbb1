import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../spec/index.ts';
import { makeDocx, utf8 } from './__fixtures__/make-fixtures.ts';
import { loadDocx } from './load-docx.ts';

test('Word heading styles become headings with headings paths', async () => {
  const bytes = await makeDocx([
    { heading: 1, text: 'Onboarding' },
    'Welcome to the team.',
    { heading: 2, text: 'First week' },
    'Meet your buddy.',
    'Set up your laptop.',
    { heading: 1, text: 'Benefits' },
    'Health cover starts on day one.',
  ]);
  const document = await loadDocx({ bytes, path: 'hr/onboarding.docx' });
  assert.equal(document.id, 'hr/onboarding.docx');
  assert.equal(document.format, 'docx');
  assert.equal(document.title, 'Onboarding');
  assert.deepEqual(
    document.blocks.map((block) => [block.kind, block.headingsPath.join(' > '), block.text]),
    [
      ['heading', '', 'Onboarding'],
      ['paragraph', 'Onboarding', 'Welcome to the team.'],
      ['heading', 'Onboarding', 'First week'],
      ['paragraph', 'Onboarding > First week', 'Meet your buddy.'],
      ['paragraph', 'Onboarding > First week', 'Set up your laptop.'],
      ['heading', '', 'Benefits'],
      ['paragraph', 'Benefits', 'Health cover starts on day one.'],
    ],
  );
});

test('a paragraph in the Title style is the title', async () => {
  const bytes = await makeDocx([
    { title: 'Employee handbook' },
    { heading: 1, text: 'Onboarding' },
    'Welcome.',
  ]);
  const document = await loadDocx({ bytes, path: 'handbook.docx' });
  assert.equal(document.title, 'Employee handbook');
});

test('a file that is not a DOCX is refused', async () => {
  await assert.rejects(loadDocx({ bytes: utf8('plain text, not a zip'), path: 'fake.docx' }), (error) => {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.message, 'fake.docx: not a valid DOCX (zip) file');
    return true;
  });
});
