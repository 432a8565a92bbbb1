import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Passage } from '../spec/index.ts';
import { findUnanswerableTerms, salientTerms } from './unanswerable-terms.ts';

function passage(text: string, title = 'Transport'): Passage {
  return { n: 1, chunkId: 'a#0', docId: 'a', source: 'a.md', title, text, score: 1, metadata: {} };
}

test('acronyms, mixed case, digits and inner capitals are salient; ordinary words are not', () => {
  assert.deepEqual(salientTerms('Does it support gRPC?'), ['gRPC']);
  assert.deepEqual(salientTerms('Can Kubernetes run PCI workloads over HTTP2?'), [
    'Kubernetes',
    'PCI',
    'HTTP2',
  ]);
  assert.deepEqual(salientTerms('How long are audit logs kept?'), []);
  assert.deepEqual(salientTerms('Retention. Where is it stored?'), []);
});

test('a salient term no passage mentions is reported; stemming and case do not hide a mention', () => {
  const rest = [passage('The server speaks JSON over HTTP and streams with server-sent events.')];
  assert.deepEqual(findUnanswerableTerms('Does it support gRPC?', rest), ['gRPC']);
  assert.deepEqual(
    findUnanswerableTerms('Does it support GRPC streaming?', [passage('We serve grpc too.')]),
    [],
  );
  assert.deepEqual(findUnanswerableTerms('Which APIs exist?', [passage('The api is versioned.')]), []);
  assert.deepEqual(findUnanswerableTerms('How are keys rotated?', rest), []);
  // An acronym the passages only spell out is still mentioned.
  assert.deepEqual(
    findUnanswerableTerms('What constant does RRF use?', [passage('Reciprocal rank fusion uses k = 60.')]),
    [],
  );
  assert.deepEqual(
    findUnanswerableTerms('Is BYOK offered?', [passage('Bring your own key is offered.')]),
    [],
  );
  assert.deepEqual(findUnanswerableTerms('Is HTTP used?', [passage('plain text', 'HTTP notes')]), []);
});
