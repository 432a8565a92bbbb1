// Copies what the built library reads at run time beside its modules (prompts, the injection
// classifier's weights, the embedder's worker): every file under src that tsc does not emit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src');
const target = path.join(root, 'dist');

let copied = 0;
for (const entry of fs.readdirSync(source, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = path.join(entry.parentPath ?? entry.path, entry.name);
  const relative = path.relative(source, from);
  if (relative.split(path.sep).includes('__fixtures__')) continue;
  fs.mkdirSync(path.dirname(path.join(target, relative)), { recursive: true });
  fs.copyFileSync(from, path.join(target, relative));
  copied++;
}
fs.copyFileSync(path.join(root, 'scripts/require-error.cjs'), path.join(target, 'require-error.cjs'));
console.log(`copied ${copied + 1} run-time files into dist/`);
