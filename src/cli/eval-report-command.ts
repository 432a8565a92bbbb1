import fs from 'node:fs';
import type { EvalRun } from '../evaluate/eval-run.ts';
import { compareRuns, formatComparison } from '../evaluate/index.ts';
import { renderReport } from '../evaluate/report/index.ts';
import { readRun } from '../evaluate/runs-store.ts';
import { CairnError, type IngestJobRecord } from '../spec/index.ts';
import { openDomains } from '../store/open-storage.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';

export const EVAL_REPORT_HELP = `Usage: cairn eval report RUN [RUN ...] [--html FILE] [--title TEXT] [--namespace NAME]

RUN is a run file (from cairn eval answers --json) or a stored run id of the namespace (--namespace,
default: the config namespace; see cairn eval runs). With two or more runs the first is the
baseline and the last is compared with it. --html writes one self-contained file
(no network needed) with per-metric bars and intervals, latency distributions, cost vs quality
with the Pareto frontier, and the failing items.
`;

/** `cairn eval report`: an HTML report of runs, or the comparison as text. */
export async function evalReportCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('eval report', args, {
    html: { type: 'string' },
    title: { type: 'string' },
    index: { type: 'string' },
    namespace: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(EVAL_REPORT_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new CairnError(
      'invalid_option',
      'cairn eval report needs at least one run. See: cairn eval report --help',
    );
  const { config } = context.config();
  const indexPath = values.index ?? config.index;
  const namespace = values.namespace ?? config.namespace;
  const domains = await openDomains<IngestJobRecord, EvalRun>(indexPath);
  const runs: EvalRun[] = [];
  try {
    for (const reference of positionals) runs.push(await readRun(reference, domains.evalRuns, namespace));
  } finally {
    await domains.close();
  }
  const comparison =
    runs.length >= 2
      ? compareRuns(runs[0] as (typeof runs)[number], runs.at(-1) as (typeof runs)[number])
      : undefined;
  if (values.html) {
    const html = renderReport(runs, {
      ...(values.title ? { title: values.title } : {}),
      ...(comparison ? { comparison } : {}),
    });
    fs.writeFileSync(values.html, html);
    context.stdout.write(
      `wrote ${values.html} (${runs.length} runs, ${(html.length / 1024).toFixed(0)} KB)\n`,
    );
  } else if (comparison) {
    context.stdout.write(formatComparison(comparison));
  } else {
    context.stdout.write('One run: add --html FILE for the report, or a second run to compare.\n');
  }
  return EXIT.ok;
}
