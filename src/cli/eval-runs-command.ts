import type { EvalRun } from '../evaluate/eval-run.ts';
import type { IngestJobRecord } from '../spec/index.ts';
import { openDomains } from '../store/open-storage.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';

/** `cairn eval runs`: the namespace's stored runs, newest first, with their headline metrics. */
export async function evalRunsCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval runs', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(
      "Usage: cairn eval runs [--index FILE] [--namespace NAME] [--json]   the namespace's stored evaluation runs, newest first\n",
    );
    return EXIT.ok;
  }
  const { config } = context.config();
  const domains = await openDomains<IngestJobRecord, EvalRun>(values.index ?? config.index);
  const runs = await domains.evalRuns
    .list(values.namespace ?? config.namespace)
    .finally(() => domains.close());
  if (values.json) {
    context.stdout.write(
      `${JSON.stringify(
        runs.map(({ location, run }) => ({
          file: location,
          runId: run.runId,
          createdAt: run.createdAt,
          label: run.label,
          split: run.golden.split,
          aggregates: run.aggregates,
        })),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  if (runs.length === 0) context.stdout.write('No stored runs yet: cairn eval answers --golden <file>\n');
  const value = (n: number | null | undefined) => (n === null || n === undefined ? '  —  ' : n.toFixed(3));
  for (const { run } of runs) {
    const a = run.aggregates;
    context.stdout.write(
      `${run.runId.slice(0, 8)}  ${run.createdAt.slice(0, 19)}  ${run.label.padEnd(24).slice(0, 24)}  ${run.golden.split.padEnd(4)} ` +
        `faith ${value(a.faithfulness?.mean)}  cite ${value(a.citation_accuracy?.mean)}  abstain ${value(a.abstention_accuracy?.mean)}  p95 ${run.latency.total.p95.toFixed(0)} ms\n`,
    );
  }
  return EXIT.ok;
}
