import fs from 'node:fs';
import Database from 'better-sqlite3';
import { CairnError } from '../../spec/index.ts';

/** Embedder and dimension recorded in an existing index, or undefined when the file does not exist. */
export function readIndexEmbedder(indexPath: string): { embedderId: string; dimensions: number } | undefined {
  if (indexPath === ':memory:' || !fs.existsSync(indexPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(indexPath, { readonly: true, fileMustExist: true });
    const rows = db
      .prepare(`SELECT key, value FROM meta WHERE key IN ('embedder_id', 'dimensions')`)
      .all() as {
      key: string;
      value: string;
    }[];
    const meta = new Map(rows.map((row) => [row.key, row.value]));
    const embedderId = meta.get('embedder_id');
    if (embedderId === undefined) return undefined;
    return { embedderId, dimensions: Number(meta.get('dimensions')) };
  } catch (cause) {
    throw new CairnError(
      'invalid_input',
      `${indexPath} is not a readable cairn index (${(cause as Error).message}); pass another --index or delete the file`,
      { cause },
    );
  } finally {
    db?.close();
  }
}
