import { CairnError } from '../spec/index.ts';

// Metadata keys end up inside SQL (a JSON path in SQLite, a JSON key in Postgres); this alphabet
// keeps them from ever closing a quote or a path.
const SAFE_METADATA_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws `invalid_option` naming a filter key outside the alphabet every backend accepts. */
export function assertSafeMetadataKey(key: string): void {
  if (!SAFE_METADATA_KEY.test(key)) {
    throw new CairnError(
      'invalid_option',
      `filter key "${key}" may only use letters, digits, '_', '-' and '.'`,
    );
  }
}
