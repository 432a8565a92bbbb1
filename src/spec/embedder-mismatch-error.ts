import { CairnError } from './errors.ts';

/** The index was built with another embedder (or dimension) than the one now configured. */
export class EmbedderMismatchError extends CairnError {
  readonly expected: { embedderId: string; dimensions: number };
  readonly actual: { embedderId: string; dimensions: number };

  constructor(
    indexPath: string,
    expected: { embedderId: string; dimensions: number },
    actual: { embedderId: string; dimensions: number },
  ) {
    super(
      'embedder_mismatch',
      `${indexPath} was built with embedder ${expected.embedderId} (${expected.dimensions}-d) but ` +
        `${actual.embedderId} (${actual.dimensions}-d) is configured. Use --embedder ${expected.embedderId}, ` +
        `or re-embed with: cairn ingest <dir> --index ${indexPath} --reembed`,
    );
    this.name = 'EmbedderMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}
