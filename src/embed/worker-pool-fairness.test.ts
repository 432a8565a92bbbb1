import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerPool } from './worker-pool.ts';

const ECHO = new URL('./__fixtures__/echo-embedder-worker.js', import.meta.url);

test('a small call is answered before the rest of a large call that came first', async () => {
  const pool = new WorkerPool(ECHO, 1);
  try {
    const order: string[] = [];
    const texts = Array.from({ length: 64 }, (_, index) => 'x'.repeat(index + 1));
    const large = pool.run(texts).then((vectors) => {
      order.push('large');
      return vectors;
    });
    const small = pool.run(['hello']).then((vectors) => {
      order.push('small');
      return vectors;
    });
    const [largeVectors, smallVectors] = await Promise.all([large, small]);
    assert.deepEqual(order, ['small', 'large']);
    assert.deepEqual(
      largeVectors.map((vector) => vector[0]),
      texts.map((text) => text.length),
      'the large call still gets every vector, in order',
    );
    assert.deepEqual(
      smallVectors.map((vector) => vector[0]),
      [5],
    );
  } finally {
    await pool.close();
  }
});

test('two large calls take turns slice by slice and both complete', async () => {
  const pool = new WorkerPool(ECHO, 2);
  try {
    const a = Array.from({ length: 30 }, (_, index) => 'a'.repeat(index + 1));
    const b = Array.from({ length: 20 }, (_, index) => 'b'.repeat(index + 1));
    const [first, second, empty] = await Promise.all([pool.run(a), pool.run(b), pool.run([])]);
    assert.deepEqual(
      first.map((vector) => vector[0]),
      a.map((text) => text.length),
    );
    assert.deepEqual(
      second.map((vector) => vector[0]),
      b.map((text) => text.length),
    );
    assert.deepEqual(empty, []);
  } finally {
    await pool.close();
  }
});
