import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { CairnError } from '../spec/index.ts';
import { type CairnConfig, configSchema } from './config-schema.ts';
import { applyOtelEnv } from './otel-env.ts';

/** File names looked for in the working directory, in order. */
export const CONFIG_FILES = ['cairn.config.json', 'cairn.config.yaml', 'cairn.config.yml'] as const;

/** The effective configuration and where it came from. */
export interface LoadedConfig {
  config: CairnConfig;
  /** The file read, if any. */
  file: string | undefined;
  /** Setting paths that environment variables overrode, e.g. `answerer.apiKey <- CAIRN_LLM_API_KEY`. */
  fromEnv: string[];
}

/**
 * Reads `cairn.config.json` (or YAML) from `cwd` or an explicit path, applies environment
 * variables on top, and validates the result. Invalid files fail with the file, the setting path
 * and the fix; no file at all yields the defaults.
 */
export function loadConfig(
  options: { cwd?: string; file?: string; env?: NodeJS.ProcessEnv } = {},
): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file
    ? path.resolve(cwd, options.file)
    : CONFIG_FILES.map((name) => path.join(cwd, name)).find((candidate) => fs.existsSync(candidate));
  let raw: Record<string, unknown> = {};
  if (file) raw = readConfigFile(file);
  const fromEnv: string[] = [];
  const merged = applyEnv(raw, env, fromEnv);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const where = file ? `${path.relative(cwd, file) || file}` : 'configuration';
    throw new CairnError('invalid_option', `${where} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return { config: parsed.data, file, fromEnv };
}

/** The YAML parser, loaded only for a YAML file: every command reads the config, few have one. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CairnError(
      'invalid_input',
      `${file}: cannot read the config file (${(cause as Error).message})`,
      { cause },
    );
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new CairnError(
      'invalid_option',
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CairnError('invalid_option', `${file}: the top level must be an object of settings`);
  }
  return value as Record<string, unknown>;
}

/** Environment variables and the setting each one sets. */
const ENV_SETTINGS: [string, string[], 'string' | 'number'][] = [
  ['CAIRN_INDEX', ['index'], 'string'],
  ['CAIRN_NAMESPACE', ['namespace'], 'string'],
  ['CAIRN_EMBEDDER', ['embedder', 'model'], 'string'],
  ['CAIRN_EMBED_BASE_URL', ['embedder', 'baseURL'], 'string'],
  ['CAIRN_EMBED_API_KEY', ['embedder', 'apiKey'], 'string'],
  ['CAIRN_EMBED_DIMENSIONS', ['embedder', 'dimensions'], 'number'],
  ['CAIRN_EMBED_THREADS', ['embedder', 'threads'], 'number'],
  ['CAIRN_LLM', ['answerer', 'model'], 'string'],
  ['CAIRN_LLM_BASE_URL', ['answerer', 'baseURL'], 'string'],
  ['CAIRN_LLM_API_KEY', ['answerer', 'apiKey'], 'string'],
  ['CAIRN_JUDGE', ['judge', 'model'], 'string'],
  ['CAIRN_JUDGE_BASE_URL', ['judge', 'baseURL'], 'string'],
  ['CAIRN_JUDGE_API_KEY', ['judge', 'apiKey'], 'string'],
];

function applyEnv(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  fromEnv: string[],
): Record<string, unknown> {
  const merged = structuredClone(raw);
  for (const [name, settingPath, type] of ENV_SETTINGS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(merged, settingPath, type === 'number' ? Number(value) : value);
    fromEnv.push(`${settingPath.join('.')} <- ${name}`);
  }
  applyOtelEnv(merged, env, fromEnv);
  // Provider-standard key variables fill in when cairn's own is absent.
  const answerer = (merged.answerer ?? {}) as Record<string, unknown>;
  const model = typeof answerer.model === 'string' ? answerer.model : '';
  if (answerer.apiKey === undefined) {
    const fallback = model.startsWith('anthropic:')
      ? 'ANTHROPIC_API_KEY'
      : model.startsWith('openai-compatible:')
        ? 'OPENAI_API_KEY'
        : undefined;
    if (fallback && env[fallback]) {
      setPath(merged, ['answerer', 'apiKey'], env[fallback]);
      fromEnv.push(`answerer.apiKey <- ${fallback}`);
    }
  }
  return merged;
}

function setPath(target: Record<string, unknown>, settingPath: string[], value: unknown): void {
  let node = target;
  for (const key of settingPath.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[settingPath.at(-1) as string] = value;
}

/** A copy of the config with every secret replaced by a masked form safe to print. */
export function maskSecrets(config: CairnConfig): CairnConfig {
  const masked = structuredClone(config);
  if (masked.embedder.apiKey) masked.embedder.apiKey = mask(masked.embedder.apiKey);
  if (masked.answerer.apiKey) masked.answerer.apiKey = mask(masked.answerer.apiKey);
  if (masked.judge.apiKey) masked.judge.apiKey = mask(masked.judge.apiKey);
  // Collector headers are credentials (Langfuse's Basic auth, Phoenix's API key).
  for (const name of Object.keys(masked.telemetry.headers))
    masked.telemetry.headers[name] = mask(masked.telemetry.headers[name] as string);
  // A storage URL may carry a database password (postgres://user:password@host/db).
  masked.index = masked.index.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1****@');
  return masked;
}

function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 3)}… (${secret.length} chars)`;
}
