import { CairnError } from '../spec/index.ts';

// Apart from open-storage.ts so commands can check a path before the database drivers load.

/** Where a backend lives, parsed from a storage URL. */
export type StorageLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string };

const ACCEPTED_FORMS = 'a file path (e.g. .cairn/index.db), sqlite:<file>, or postgres://user@host:5432/db';

/**
 * Parses a storage URL: `sqlite:<file>` or a plain path (the default: one SQLite index file) or
 * `postgres://…` / `postgresql://…`. Anything else with a scheme is `invalid_option` naming the
 * URL and the accepted forms.
 */
export function parseStorageUrl(url: string): StorageLocation {
  // A password in the URL is never repeated in the message.
  const shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
  const bad = (why: string) =>
    new CairnError('invalid_option', `storage URL "${shown}" ${why}; use ${ACCEPTED_FORMS}`);
  if (url.trim() === '') throw bad('is empty');
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad('is not a valid URL');
    }
    if (!parsed.hostname && !parsed.searchParams.has('host')) throw bad('names no host');
    return { kind: 'postgres', connectionString: url };
  }
  if (/^sqlite:/i.test(url)) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw bad('names no file');
    return { kind: 'sqlite', path: file };
  }
  // A scheme (two letters or more, so Windows drive letters stay paths) that is none of ours.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url);
  if (scheme) throw bad(`has an unknown scheme "${scheme[1]}:"`);
  return { kind: 'sqlite', path: url };
}

/** The index file of a SQLite storage URL, or undefined for a backend that keeps no file. */
export function storageFilePath(url: string): string | undefined {
  const location = parseStorageUrl(url);
  return location.kind === 'sqlite' ? location.path : undefined;
}
