import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CairnError, type UploadedFileInfo, type UploadStore } from '../spec/index.ts';

/** Hex SHA-256 of a file's bytes: how upload stores tell changed files from unchanged ones. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where set-aside files go inside a tenant's folder; hidden, so the loader passes over it. */
const SET_ASIDE = '.crashed';

/**
 * Uploaded files as plain files in `<root>/<tenant>/`, beside a SQLite index: one machine, read
 * in place by ingest. Each write goes to a `.partial` file renamed over the target, so a file is
 * never half-written.
 */
export function openFolderUploads(root: string): UploadStore {
  const base = path.resolve(root);
  const folder = (tenant: string): string => {
    const dir = path.resolve(base, tenant);
    if (path.dirname(dir) !== base || tenant === '' || tenant.startsWith('.'))
      throw new CairnError('invalid_input', `tenant "${tenant}" cannot name an upload folder`);
    return dir;
  };
  const file = (tenant: string, name: string): string => {
    if (name === '' || name.startsWith('.') || path.basename(name) !== name || /[\\/]/.test(name))
      throw new CairnError('invalid_input', `"${name}" is not a plain file name`);
    return path.join(folder(tenant), name);
  };
  const readIfFile = (target: string): Buffer | undefined => {
    try {
      return fs.readFileSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    async put(tenant, name, bytes) {
      const target = file(tenant, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(`${target}.partial`, bytes);
      fs.renameSync(`${target}.partial`, target);
      return { name, sha256: sha256Of(bytes), size: bytes.byteLength };
    },
    async list(tenant) {
      const dir = folder(tenant);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return [];
      }
      const files: UploadedFileInfo[] = [];
      for (const entry of entries) {
        if (!entry.isFile() || entry.name.startsWith('.') || entry.name.endsWith('.partial')) continue;
        const bytes = readIfFile(path.join(dir, entry.name));
        if (bytes) files.push({ name: entry.name, sha256: sha256Of(bytes), size: bytes.byteLength });
      }
      return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async read(tenant, name) {
      const bytes = readIfFile(file(tenant, name));
      return bytes ? new Uint8Array(bytes) : undefined;
    },
    async remove(tenant, name) {
      const target = file(tenant, name);
      const existed = fs.existsSync(target);
      fs.rmSync(target, { force: true });
      return existed;
    },
    async setAside(tenant, name) {
      const target = file(tenant, name);
      if (!fs.existsSync(target)) return false;
      const aside = path.join(folder(tenant), SET_ASIDE);
      fs.mkdirSync(aside, { recursive: true });
      fs.renameSync(target, path.join(aside, name));
      return true;
    },
    localFolder(tenant) {
      return folder(tenant);
    },
    async close() {},
  };
}
