import type pg from 'pg';
import type { IndexSettingsStore } from '../../spec/index.ts';

/** Index settings: the embedder in `index_meta`, per-namespace values in `index_settings`. */
export function createPgSettings(pool: pg.Pool): IndexSettingsStore {
  const upsertMeta = `INSERT INTO index_meta (key, value) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  return {
    async readEmbedder() {
      const { rows } = await pool.query<{ key: string; value: string }>(
        `SELECT key, value FROM index_meta WHERE key IN ('embedder_id', 'dimensions')`,
      );
      const meta = new Map(rows.map((row) => [row.key, row.value]));
      const embedderId = meta.get('embedder_id');
      return embedderId === undefined
        ? undefined
        : { embedderId, dimensions: Number(meta.get('dimensions')) };
    },
    async recordEmbedder(embedder) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(upsertMeta, ['embedder_id', embedder.embedderId]);
        await client.query(upsertMeta, ['dimensions', String(embedder.dimensions)]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async getSetting(namespace, key) {
      const { rows } = await pool.query<{ value: string }>(
        'SELECT value FROM index_settings WHERE namespace = $1 AND key = $2',
        [namespace, key],
      );
      return rows[0]?.value;
    },
    async setSetting(namespace, key, value) {
      await pool.query(
        `INSERT INTO index_settings (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        [namespace, key, value],
      );
    },
    async close() {},
  };
}
