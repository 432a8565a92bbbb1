import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadGoldenSet, mustAbstain } from './golden-set.ts';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../corpus');
const GOLDEN = path.join(CORPUS, 'vitest-golden.jsonl');
const KINDS = ['value', 'howto', 'yesno', 'concept'] as const;

test('the Vitest golden set loads with the golden-set loader and has both splits', () => {
  const items = loadGoldenSet(GOLDEN);
  assert.ok(items.length >= 60, `${items.length} items`);
  const dev = loadGoldenSet(GOLDEN, 'dev');
  const testSplit = loadGoldenSet(GOLDEN, 'test');
  assert.equal(dev.length + testSplit.length, items.length);
  // About 40% dev, 60% test.
  assert.ok(dev.length / items.length > 0.35 && dev.length / items.length < 0.45, `${dev.length} dev`);
  for (const split of [dev, testSplit]) {
    assert.ok(split.some(mustAbstain), 'each split has items that must be abstained on');
    assert.ok(
      split.some((item) => item.tags.includes('near-miss')),
      'each split has near-miss items',
    );
  }
});

test('every Vitest golden item is one kind, and only must-abstain items lack a reference', () => {
  const items = loadGoldenSet(GOLDEN);
  const outOfScope = items.filter((item) => mustAbstain(item) && !item.tags.includes('near-miss'));
  // Out-of-scope items proper are about 15% of the set; near misses come on top.
  assert.ok(outOfScope.length / items.length >= 0.12, `${outOfScope.length} out-of-scope`);
  for (const item of items) {
    if (mustAbstain(item)) {
      assert.deepEqual(item.relevant_doc_ids, [], item.id);
      assert.equal(item.reference_answer, '', item.id);
      continue;
    }
    assert.equal(KINDS.filter((kind) => item.tags.includes(kind)).length, 1, `${item.id}: one kind tag`);
    assert.ok(item.reference_answer.length > 0, item.id);
    assert.ok(item.relevant_doc_ids.length > 0, item.id);
    for (const id of item.relevant_doc_ids)
      assert.match(id, /^vitest-docs\/[a-z0-9/-]+\.md$/, `${item.id}: ids of collection vitest-docs`);
  }
  for (const kind of KINDS)
    assert.ok(
      items.some((item) => item.tags.includes(kind)),
      kind,
    );
});

test('hand grades name test-split items of the Vitest golden set', () => {
  const testIds = new Set(loadGoldenSet(GOLDEN, 'test').map((item) => item.id));
  const file = path.join(CORPUS, 'vitest-golden-grades.jsonl');
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  assert.ok(lines.length > 0);
  for (const line of lines) {
    const grade = JSON.parse(line) as { id: string; answer_sha256: string; grade: string; graded_on: string };
    assert.ok(testIds.has(grade.id), `${grade.id} is a test item`);
    assert.match(grade.answer_sha256, /^[0-9a-f]{64}$/);
    assert.ok(['correct', 'partial', 'wrong'].includes(grade.grade), grade.id);
    assert.match(grade.graded_on, /^\d{4}-\d{2}-\d{2}$/);
  }
});
