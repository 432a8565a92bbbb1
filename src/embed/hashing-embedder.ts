import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '../spec/index.ts';
import { normalizeVector } from './normalize-vector.ts';

/**
 * Deterministic feature-hashing embedder: word unigrams and character trigrams hashed into a
 * fixed number of signed buckets. No model, microseconds per text; meant for tests and as a
 * lexical fallback, not for semantic quality.
 */
export function createHashingEmbedder(options: { dimensions?: number } = {}): EmbeddingModel {
  const dimensions = options.dimensions ?? 256;
  return {
    specificationVersion: 'v1',
    provider: 'hashing',
    modelId: `hash-${dimensions}`,
    dimensions,
    maxEmbeddingsPerCall: 1024,
    async doEmbed({ values }) {
      const embeddings = values.map((value) => embedText(value, dimensions));
      const tokens = values.reduce((sum, value) => sum + wordsOf(value).length, 0);
      return { embeddings, usage: { tokens } };
    },
  };
}

function embedText(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of wordsOf(text)) {
    addFeature(vector, `w:${word}`, 1);
    const padded = `#${word}#`;
    for (let i = 0; i + 3 <= padded.length; i++) addFeature(vector, `c:${padded.slice(i, i + 3)}`, 0.5);
  }
  return normalizeVector(vector);
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function addFeature(vector: Float32Array, feature: string, weight: number): void {
  const digest = createHash('md5').update(feature).digest();
  const bucket = digest.readUInt32LE(0) % vector.length;
  // The sign bit keeps hash collisions from always adding up (unbiased feature hashing).
  const sign = (digest[4] ?? 0) & 1 ? 1 : -1;
  vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
}
