// Marks dist/ as a complete build of the sources, for bin/cairn.js. `start` (before tsc) removes
// the mark and notes the time; `finish` (after every file is written) turns the note into the
// mark, keeping the start time, so a source edited while the build ran counts as newer than it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const started = path.join(dist, '.build-started');
const complete = path.join(dist, '.build-complete');

const step = process.argv[2];
if (step === 'start') {
  fs.rmSync(complete, { force: true });
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(started, `${new Date().toISOString()}\n`);
} else if (step === 'finish') {
  fs.renameSync(started, complete);
} else {
  console.error('usage: node scripts/build-stamp.mjs start|finish');
  process.exit(2);
}
