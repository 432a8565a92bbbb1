import type pg from 'pg';
import type { UploadedFileInfo, UploadStore } from '../../spec/index.ts';
import { sha256Of } from '../folder-uploads.ts';

/** Uploaded files in the `uploads` table, so a worker on any machine reads the same bytes. */
export function createPgUploads(pool: pg.Pool): UploadStore {
  return {
    async put(tenant, name, bytes) {
      const info: UploadedFileInfo = { name, sha256: sha256Of(bytes), size: bytes.byteLength };
      // One statement: the row holds the old bytes or the new ones, and a new upload un-sets-aside.
      await pool.query(
        `INSERT INTO uploads (tenant, name, sha256, size, bytes, set_aside, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, false, clock_timestamp())
         ON CONFLICT (tenant, name) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
           bytes = excluded.bytes, set_aside = false, uploaded_at = excluded.uploaded_at`,
        [tenant, name, info.sha256, info.size, Buffer.from(bytes)],
      );
      return info;
    },
    async list(tenant) {
      const { rows } = await pool.query<{ name: string; sha256: string; size: string }>(
        'SELECT name, sha256, size FROM uploads WHERE tenant = $1 AND NOT set_aside ORDER BY name',
        [tenant],
      );
      return rows.map((row) => ({ name: row.name, sha256: row.sha256, size: Number(row.size) }));
    },
    async read(tenant, name) {
      const { rows } = await pool.query<{ bytes: Buffer }>(
        'SELECT bytes FROM uploads WHERE tenant = $1 AND name = $2 AND NOT set_aside',
        [tenant, name],
      );
      return rows[0] ? new Uint8Array(rows[0].bytes) : undefined;
    },
    async remove(tenant, name) {
      const { rowCount } = await pool.query('DELETE FROM uploads WHERE tenant = $1 AND name = $2', [
        tenant,
        name,
      ]);
      return (rowCount ?? 0) > 0;
    },
    async setAside(tenant, name) {
      const { rowCount } = await pool.query(
        'UPDATE uploads SET set_aside = true WHERE tenant = $1 AND name = $2 AND NOT set_aside',
        [tenant, name],
      );
      return (rowCount ?? 0) > 0;
    },
    async close() {},
  };
}
