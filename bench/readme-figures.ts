/**
 * The figures the README quotes that `npm run bench` re-measures: each with the benchmark that
 * reports it (through bench/lib/figures.ts) and the value as the README prints it. A test checks
 * that every `readme` value still appears in the README, so this list and the README move together:
 * when a figure is re-measured, update both.
 */
export interface ReadmeFigure {
  id: string;
  what: string;
  /** The value exactly as the README prints it. */
  readme: string;
  /** The benchmark script and its arguments, run with `node --import tsx`. */
  command: string[];
  /** Takes more than about five minutes on the 2-core machine; left out by `--quick`. */
  slow?: boolean;
}

const SERVER_LOAD = ['bench/server-load.ts'];
const QUERY_LATENCY = ['bench/query-latency.ts', '--sizes', 'scifact', '--systems', 'cairn,lancedb'];

export const README_FIGURES: readonly ReadmeFigure[] = [
  {
    id: 'server-load.c100.ttft-p95-ms',
    what: '100 streaming sessions: time to first token p95, ms',
    readme: '8408',
    command: SERVER_LOAD,
  },
  {
    id: 'server-load.c100.total-p95-ms',
    what: '100 streaming sessions: total time p95, ms',
    readme: '8546',
    command: SERVER_LOAD,
  },
  {
    id: 'server-load.c100.overhead-p95-ms',
    what: '100 streaming sessions: engine overhead to first token p95, ms',
    readme: '8085',
    command: SERVER_LOAD,
  },
  {
    id: 'server-load.search-requests-per-second',
    what: '/v1/search, 8 clients: requests per second',
    readme: '27.4',
    command: SERVER_LOAD,
  },
  {
    id: 'engine-overhead.overhead-p50-ms',
    what: 'one request at a time: engine overhead to first token p50, ms',
    readme: '27.3',
    command: ['bench/engine-overhead.ts'],
  },
  {
    id: 'engine-overhead.overhead-p95-ms',
    what: 'one request at a time: engine overhead to first token p95, ms',
    readme: '39.7',
    command: ['bench/engine-overhead.ts'],
  },
  {
    id: 'query-latency.scifact.cairn.bm25-p50-ms',
    what: 'SciFact 8,541 chunks: cairn BM25 p50, ms',
    readme: '7.50',
    command: QUERY_LATENCY,
  },
  {
    id: 'query-latency.scifact.cairn.hybrid-p50-ms',
    what: 'SciFact: cairn hybrid p50, ms',
    readme: '17.08',
    command: QUERY_LATENCY,
  },
  {
    id: 'query-latency.scifact.lancedb.bm25-p50-ms',
    what: 'SciFact: LanceDB BM25 p50, ms',
    readme: '2.02',
    command: QUERY_LATENCY,
  },
  {
    id: 'query-latency.scifact.lancedb.hybrid-p50-ms',
    what: 'SciFact: LanceDB hybrid p50, ms',
    readme: '21.00',
    command: QUERY_LATENCY,
  },
  {
    id: 'guard-cost.vitest-ms-per-1000-chars',
    what: 'guard (injection + PII) on the Vitest pages, ms per 1,000 characters',
    readme: '1.9 ms per 1,000 characters on the Vitest pages',
    command: ['bench/guard-cost.ts', '--rounds', '3'],
  },
  {
    id: 'guard-cost.scifact-ms-per-1000-chars',
    what: 'guard on the SciFact abstracts, ms per 1,000 characters',
    readme: '2.3 on the SciFact abstracts',
    command: ['bench/guard-cost.ts', '--rounds', '3'],
  },
  {
    id: 'ingest-throughput.overhead-percent',
    what: 'ingest overhead beyond the raw embedder, %',
    readme: '18.6%',
    command: ['bench/ingest-throughput.ts'],
    slow: true,
  },
];

/** The number in a README value ("1.9 ms per …" is 1.9). */
export function readmeNumber(figure: ReadmeFigure): number {
  return Number(/-?\d+(?:\.\d+)?/.exec(figure.readme.replace(/,(?=\d{3})/g, ''))?.[0]);
}
