import fs from 'node:fs';
import { walkDirectory } from '../ingest/index.ts';

/**
 * Estimates how many documents an ingest will see, for the progress bar: supported files, with
 * a JSONL corpus counted by its lines. Cheap: JSONL files are scanned for newlines, not parsed.
 */
export async function countInputs(inputPath: string): Promise<number> {
  const { files } = await walkDirectory(inputPath);
  let total = 0;
  for (const file of files) {
    total += file.endsWith('.jsonl') ? await countLines(file) : 1;
  }
  return total;
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
  }
  return lines;
}
