import type { z } from 'zod';
import { CairnError } from '../spec/index.ts';

/**
 * Validates the options of a library function at run time, for callers without the type checker
 * (JavaScript, JSON from elsewhere). Returns `options` unchanged (defaults stay the function's
 * business); otherwise throws `invalid_option` naming each offending option, e.g.
 * `ask() option retrieval.mode: expected one of hybrid|bm25|dense, got "hybird"`.
 */
export function checkOptions<T>(fn: string, schema: z.ZodType, options: T): T {
  const parsed = schema.safeParse(options, { reportInput: true });
  if (parsed.success) return options;
  const problems = parsed.error.issues.flatMap(describeIssue);
  throw new CairnError('invalid_option', `${fn}() ${problems.map((p) => `option ${p}`).join('; ')}`, {
    cause: parsed.error,
  });
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = issue.path.map(String).join('.');
  const name = (key: string) => (where === '' ? key : `${where}.${key}`);
  const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${name(key)}: unknown option`);
    case 'invalid_value':
      return [`${where}: expected ${oneOf(issue.values)}${got}`];
    case 'invalid_type':
      return [`${where}: expected ${issue.expected}${got}`];
    case 'invalid_union': {
      // A discriminated union (fusion) points at its discriminator but reports the whole object.
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator && options) {
        const value = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
        return [`${where}: expected ${oneOf(options)}, got ${describeValue(value)}`];
      }
      return [`${where}: ${issue.message}${got}`];
    }
    default:
      return [`${where}: ${issue.message.replace(/^(?:Too small|Too big|Invalid input): /, '')}${got}`];
  }
}

function oneOf(values: readonly unknown[]): string {
  if (values.length === 1) return describeValue(values[0]);
  return `one of ${values.map((value) => (typeof value === 'string' ? value : String(value))).join('|')}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined)
    return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return `a${/^[aeiou]/i.test(typeof value) ? 'n' : ''} ${typeof value}`;
}
