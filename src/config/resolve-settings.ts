import { createHash } from 'node:crypto';
import type { CairnConfig } from './config-schema.ts';
import type { LoadedConfig } from './load-config.ts';

/** Which command the settings are resolved for. */
export type PipelineEntry = 'ask' | 'serve' | 'eval';

/** Command-line flags that override the configuration, already parsed. */
export interface PipelineFlags {
  /** `--index FILE`. */
  index?: string;
  /** `--namespace NAME`. */
  namespace?: string;
  /** `cairn ask -k N`: passages handed to the answerer. */
  k?: number;
  /** `cairn ask --abstain-threshold X` (extractive answerer). */
  abstainThreshold?: number;
  /** `cairn ask --include-quarantined`: search quarantined documents too (and skip the cache). */
  includeQuarantined?: boolean;
  /** `cairn ask --no-cache`. */
  noCache?: boolean;
}

/** The answer cache as one entry point uses it; `disabledBy` says why it is off when the config has it on. */
export type CacheSettings = CairnConfig['cache'] & {
  disabledBy?: 'config' | 'evaluation' | '--no-cache' | '--include-quarantined';
};

/**
 * Everything that decides how a question is answered, as plain data: `cairn ask`, `cairn serve`
 * and `cairn eval answers` build their pipelines from this and nothing else.
 */
export interface PipelineSettings {
  entry: PipelineEntry;
  index: string;
  namespace: string;
  embedder: CairnConfig['embedder'];
  chunking: CairnConfig['chunking'];
  retrieval: CairnConfig['retrieval'] & { includeQuarantined?: true };
  /** Models, limits, deadline, routing, fallbacks and the citation rule. */
  answerer: CairnConfig['answerer'];
  guard: CairnConfig['guard'];
  cache: CacheSettings;
  prices: CairnConfig['prices'];
  /** Where the values came from: the config file read and the settings environment variables set. */
  sources: { file: string | null; fromEnv: string[] };
}

/** Settings as a run records them: secrets masked, plus the fingerprint of the answering settings. */
export type RecordedSettings = PipelineSettings & { fingerprint: string };

/**
 * Turns a configuration (file and environment, as `loadConfig()` returns it, or a parsed config)
 * and a command's flags into the pipeline's settings. Pure: defaults come from the config
 * schema, never from here; the only entry-specific rule is that an evaluation never uses the
 * answer cache, so it measures the pipeline rather than earlier answers.
 */
export function resolvePipelineSettings(
  loaded: Pick<LoadedConfig, 'config'> & Partial<LoadedConfig>,
  entry: PipelineEntry,
  flags: PipelineFlags = {},
): PipelineSettings {
  const { config } = loaded;
  const answerer = structuredClone(config.answerer);
  if (flags.abstainThreshold !== undefined) answerer.abstainThreshold = flags.abstainThreshold;
  return {
    entry,
    index: flags.index ?? config.index,
    namespace: flags.namespace ?? config.namespace,
    embedder: { ...config.embedder },
    chunking: { ...config.chunking },
    retrieval: {
      ...structuredClone(config.retrieval),
      ...(flags.k === undefined ? {} : { k: flags.k }),
      ...(flags.includeQuarantined ? { includeQuarantined: true as const } : {}),
    },
    answerer,
    guard: { ...config.guard },
    cache: { ...config.cache, ...cacheOverride(config.cache.enabled, entry, flags) },
    prices: structuredClone(config.prices),
    sources: { file: loaded.file ?? null, fromEnv: [...(loaded.fromEnv ?? [])] },
  };
}

function cacheOverride(
  enabled: boolean,
  entry: PipelineEntry,
  flags: PipelineFlags,
): Pick<CacheSettings, 'enabled' | 'disabledBy'> | undefined {
  if (!enabled) return { enabled: false, disabledBy: 'config' };
  if (entry === 'eval') return { enabled: false, disabledBy: 'evaluation' };
  if (flags.noCache) return { enabled: false, disabledBy: '--no-cache' };
  // Reviewing quarantined documents must see fresh answers, not cached ones.
  if (flags.includeQuarantined) return { enabled: false, disabledBy: '--include-quarantined' };
  return undefined;
}

const MASKED = '[masked]';

/** A copy of the settings with every API key (embedder, answerer, routing, fallbacks) masked. */
export function maskSettings(settings: PipelineSettings): PipelineSettings {
  const masked = structuredClone(settings);
  if (masked.embedder.apiKey) masked.embedder.apiKey = MASKED;
  if (masked.answerer.apiKey) masked.answerer.apiKey = MASKED;
  if (masked.answerer.routing?.apiKey) masked.answerer.routing.apiKey = MASKED;
  for (const fallback of masked.answerer.fallbacks) if (fallback.apiKey) fallback.apiKey = MASKED;
  return masked;
}

/**
 * A short hash of the settings that decide an answer (embedder, retrieval, answerer, guard),
 * without secrets, paths, the entry point or the cache: equal fingerprints mean an evaluation
 * measured the pipeline that serves.
 */
export function settingsFingerprint(settings: PipelineSettings): string {
  const { embedder, retrieval, answerer, guard } = maskSettings(settings);
  const { includeQuarantined: _review, ...ranking } = retrieval;
  return createHash('sha256')
    .update(canonicalJson({ embedder, retrieval: ranking, answerer, guard }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * What a server's answers depend on that a `cairn ask` on the same index must share for the
 * server to answer in its place: the {@link settingsFingerprint} with `k` at the configured value
 * (each request sends its own), plus the prices, answer cache and budgets, which it leaves out.
 */
export function servingFingerprint(settings: PipelineSettings, config: CairnConfig): string {
  const answering = settingsFingerprint({
    ...settings,
    retrieval: { ...settings.retrieval, k: config.retrieval.k },
  });
  return createHash('sha256')
    .update(
      canonicalJson({ answering, prices: settings.prices, cache: config.cache, budgets: config.budgets }),
    )
    .digest('hex')
    .slice(0, 16);
}

/** The masked settings with their fingerprint, as an evaluation run (or `ask --json`) records them. */
export function recordSettings(settings: PipelineSettings): RecordedSettings {
  return { ...maskSettings(settings), fingerprint: settingsFingerprint(settings) };
}

/** JSON with object keys sorted, so equal settings hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
