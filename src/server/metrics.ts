import type { CacheStats } from '../cache/index.ts';

/** Latency histogram bucket bounds in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Request, latency, token and cost counters, rendered in the Prometheus text format. */
export interface ServerMetrics {
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  observeAnswer(usage: { inputTokens: number; outputTokens: number; costUsd: number | null }): void;
  /** Prometheus text; cache lookups are included when the cache's counters are given. */
  render(cache?: CacheStats): string;
}

/** Creates an empty metrics registry. */
export function createServerMetrics(): ServerMetrics {
  const requests = new Map<string, number>();
  const histograms = new Map<string, { counts: number[]; sum: number; count: number }>();
  const tokens = { input: 0, output: 0 };
  let costUsd = 0;
  let answers = 0;
  const label = (value: string) => value.replace(/["\\\n]/g, '_');
  return {
    observeRequest(route, method, status, seconds) {
      const key = `route="${label(route)}",method="${method}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const histogramKey = `route="${label(route)}"`;
      const histogram = histograms.get(histogramKey) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
      });
      histogram.sum += seconds;
      histogram.count += 1;
      histograms.set(histogramKey, histogram);
    },
    observeAnswer(usage) {
      answers += 1;
      tokens.input += usage.inputTokens;
      tokens.output += usage.outputTokens;
      costUsd += usage.costUsd ?? 0;
    },
    render(cache) {
      const lines = [
        '# HELP cairn_http_requests_total HTTP requests by route, method and status.',
        '# TYPE cairn_http_requests_total counter',
        ...[...requests].map(([key, value]) => `cairn_http_requests_total{${key}} ${value}`),
        '# HELP cairn_http_request_duration_seconds Request latency by route.',
        '# TYPE cairn_http_request_duration_seconds histogram',
      ];
      for (const [key, histogram] of histograms) {
        BUCKETS.forEach((bound, index) => {
          lines.push(
            `cairn_http_request_duration_seconds_bucket{${key},le="${bound}"} ${histogram.counts[index]}`,
          );
        });
        lines.push(
          `cairn_http_request_duration_seconds_bucket{${key},le="+Inf"} ${histogram.count}`,
          `cairn_http_request_duration_seconds_sum{${key}} ${histogram.sum}`,
          `cairn_http_request_duration_seconds_count{${key}} ${histogram.count}`,
        );
      }
      lines.push(
        '# HELP cairn_answers_total Answers generated.',
        '# TYPE cairn_answers_total counter',
        `cairn_answers_total ${answers}`,
        '# HELP cairn_tokens_total Tokens used for answers, by direction.',
        '# TYPE cairn_tokens_total counter',
        `cairn_tokens_total{direction="input"} ${tokens.input}`,
        `cairn_tokens_total{direction="output"} ${tokens.output}`,
        '# HELP cairn_cost_usd_total Cost of answers in US dollars (priced models only).',
        '# TYPE cairn_cost_usd_total counter',
        `cairn_cost_usd_total ${costUsd}`,
      );
      if (cache) {
        lines.push(
          '# HELP cairn_cache_lookups_total Answer-cache lookups by outcome (stale: a cited document changed).',
          '# TYPE cairn_cache_lookups_total counter',
          `cairn_cache_lookups_total{outcome="exact"} ${cache.exactHits}`,
          `cairn_cache_lookups_total{outcome="semantic"} ${cache.semanticHits}`,
          `cairn_cache_lookups_total{outcome="miss"} ${cache.misses}`,
          `cairn_cache_lookups_total{outcome="stale"} ${cache.stale}`,
        );
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
