import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CairnError } from '../spec/index.ts';
import { closestMatch } from './did-you-mean.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What `parseArgs` returns for these options (named, so the build can declare it). */
type ParsedOptions<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * Strict argument parsing: an unknown option or a missing value becomes an `invalid_option`
 * error that names the option, suggests the closest known one for a typo, and points at `--help`.
 */
export function parseOptions<T extends Options>(
  command: string,
  args: string[],
  options: T,
): ParsedOptions<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (cause) {
    let message = (cause as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '--([^'=]+)'/.exec(message);
    if (unknown) {
      // --config and --debug are taken before a command sees its arguments, but are typed there too.
      const suggestion = closestMatch(unknown[1] as string, [...Object.keys(options), 'config', 'debug']);
      if (suggestion) message += ` (did you mean --${suggestion}?)`;
    }
    throw new CairnError('invalid_option', `${command}: ${message}. See: cairn ${command} --help`, { cause });
  }
}

/** Parses an integer option of at least `min` (and at most `max`), naming it in the error. */
export function integerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new CairnError('invalid_option', `--${name} must be an integer ${range}, got "${value}"`);
  }
  return parsed;
}

/** Parses a number option within [min, max], naming it in the error. */
export function numberOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new CairnError('invalid_option', `--${name} must be a number in [${min}, ${max}], got "${value}"`);
  }
  return parsed;
}

/** Checks a value against a closed set, naming the option and the allowed values in the error. */
export function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new CairnError('invalid_option', `--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}
