import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { InvalidInputError } from '../spec/index.ts';
import { describeFsError } from './describe-fs-error.ts';
import { formatForPath } from './format-for-path.ts';

/** A file the walk left out, and why. */
export interface SkippedFile {
  /** Absolute path. */
  path: string;
  reason: string;
}

/** What {@link walkDirectory} found. */
export interface WalkResult {
  /** Absolute paths of the files cairn can load, sorted. */
  files: string[];
  /** Files left out with a reason (unsupported extension, unreadable directory...), sorted. */
  skipped: SkippedFile[];
  /** Absolute directory that relative paths start from: the input directory, or a single file's parent. */
  root: string;
}

/**
 * Lists the loadable files under `inputPath` recursively, sorted. Hidden files and directories
 * and `node_modules` are passed over silently; files with an unsupported extension are listed
 * in `skipped`. A path to a single file is accepted as is, even when hidden.
 * Throws {@link InvalidInputError} when `inputPath` cannot be read at all.
 */
export async function walkDirectory(inputPath: string): Promise<WalkResult> {
  const absolute = resolve(inputPath);
  const stats = await stat(absolute).catch((error: unknown) => {
    throw new InvalidInputError(inputPath, describeFsError(error), { cause: error });
  });
  const result: WalkResult = { files: [], skipped: [], root: absolute };
  if (stats.isDirectory()) {
    await walkInto(absolute, result);
  } else {
    result.root = dirname(absolute);
    addFile(absolute, result);
  }
  result.files.sort();
  result.skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}

async function walkInto(directory: string, result: WalkResult): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    result.skipped.push({ path: directory, reason: `cannot read directory: ${describeFsError(error)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walkInto(path, result);
    else if (entry.isFile()) addFile(path, result);
    else if (entry.isSymbolicLink()) await addSymbolicLink(path, result);
    else result.skipped.push({ path, reason: 'not a regular file' });
  }
}

// Linked directories are not followed: a link back up the tree would make the walk endless.
async function addSymbolicLink(path: string, result: WalkResult): Promise<void> {
  try {
    const target = await stat(path);
    if (target.isFile()) addFile(path, result);
    else result.skipped.push({ path, reason: 'symbolic link to a directory (not followed)' });
  } catch {
    result.skipped.push({ path, reason: 'broken symbolic link' });
  }
}

function addFile(path: string, result: WalkResult): void {
  if (formatForPath(path) !== undefined) {
    result.files.push(path);
    return;
  }
  const extension = extname(path);
  result.skipped.push({
    path,
    reason: extension === '' ? 'no file extension' : `unsupported extension ${extension}`,
  });
}
