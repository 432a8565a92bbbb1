import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { README_FIGURES, readmeNumber } from '../bench/readme-figures.ts';

test('every figure npm run bench re-measures is quoted in the README as listed', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const figure of README_FIGURES) {
    assert.ok(readme.includes(figure.readme), `${figure.id}: the README no longer says "${figure.readme}"`);
    assert.ok(Number.isFinite(readmeNumber(figure)), `${figure.id}: no number in "${figure.readme}"`);
    assert.ok(
      fs.existsSync(new URL(`../${figure.command[0]}`, import.meta.url)),
      `${figure.id}: no ${figure.command[0]}`,
    );
  }
  assert.equal(
    new Set(README_FIGURES.map((figure) => figure.id)).size,
    README_FIGURES.length,
    'ids are unique',
  );
});
