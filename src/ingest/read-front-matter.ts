import { parse } from 'yaml';
import { InvalidInputError } from '../spec/index.ts';

const FRONT_MATTER = /^---[ \t]*\n(?:([\s\S]*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/** A markdown file split into its YAML front matter fields and the markdown after them. */
export interface FrontMatter {
  /** The front matter's top-level fields; empty when there is none or it is not a mapping. */
  fields: Record<string, unknown>;
  /** The markdown after the front matter (the whole text when there is none). */
  body: string;
}

/**
 * Splits a leading `---` … `---` YAML block off `markdown` and parses it. Throws
 * {@link InvalidInputError} naming `path` when the YAML does not parse.
 */
export function readFrontMatter(markdown: string, path: string): FrontMatter {
  const match = FRONT_MATTER.exec(markdown);
  if (match === null) return { fields: {}, body: markdown };
  const body = markdown.slice(match[0].length);
  let value: unknown;
  try {
    value = parse(match[1] ?? '');
  } catch (error) {
    const cause = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new InvalidInputError(path, `invalid YAML front matter: ${cause}`, { cause: error });
  }
  const isMapping = typeof value === 'object' && value !== null && !Array.isArray(value);
  return { fields: isMapping ? (value as Record<string, unknown>) : {}, body };
}
