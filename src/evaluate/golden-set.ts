import fs from 'node:fs';
import { z } from 'zod';
import { CairnError } from '../spec/index.ts';

const goldenItem = z
  .object({
    id: z.string().min(1),
    question: z.string().min(1),
    /** Empty for items that must be abstained on. */
    reference_answer: z.string(),
    /** Documents that hold the answer; empty for out-of-scope items. */
    relevant_doc_ids: z.array(z.string()),
    tags: z.array(z.string()),
    split: z.enum(['dev', 'test']),
  })
  .strict();

/** One golden question. Tags used by the metrics: `out-of-scope`, `injection`, `conflict`. */
export type GoldenItem = z.infer<typeof goldenItem>;

/** Validates one golden item, naming `where` (file and line) in the error. */
export function parseGoldenItem(value: unknown, where: string): GoldenItem {
  const parsed = goldenItem.safeParse(value);
  if (!parsed.success) {
    throw new CairnError(
      'dataset_invalid',
      `${where}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
    );
  }
  return parsed.data;
}

/** Serializes items as golden-set JSONL, one per line. */
export function formatGoldenSet(items: readonly GoldenItem[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}

/** True when a correct system must abstain on the item. */
export function mustAbstain(item: GoldenItem): boolean {
  return item.tags.includes('out-of-scope');
}

/**
 * Reads a golden set (`.jsonl`, one item per line), validating every line and reporting the file
 * and line of the first problem. Duplicate ids are an error.
 */
export function loadGoldenSet(file: string, split?: 'dev' | 'test'): GoldenItem[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CairnError(
      'dataset_invalid',
      `${file}: cannot read the golden set (${(cause as Error).message})`,
      { cause },
    );
  }
  const items: GoldenItem[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CairnError('dataset_invalid', `${file}:${index + 1}: not valid JSON`);
    }
    const item = parseGoldenItem(value, `${file}:${index + 1}`);
    if (ids.has(item.id))
      throw new CairnError('dataset_invalid', `${file}:${index + 1}: duplicate id "${item.id}"`);
    ids.add(item.id);
    items.push(item);
  });
  return split ? items.filter((item) => item.split === split) : items;
}
