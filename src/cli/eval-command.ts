import type { CommandContext } from './command-context.ts';
import { closestMatch, commandsInHelp } from './did-you-mean.ts';
import { ADD_FROM_TRACE_HELP, evalAddFromTraceCommand } from './eval-add-from-trace-command.ts';
import { EVAL_ANSWERS_HELP, evalAnswersCommand } from './eval-answers-command.ts';
import { evalExportCommand, evalImportCommand } from './eval-formats-command.ts';
import { evalJudgeCheckCommand, JUDGE_CHECK_HELP } from './eval-judge-check-command.ts';
import { evalReportCommand } from './eval-report-command.ts';
import { EVAL_RETRIEVAL_HELP, evalRetrievalCommand } from './eval-retrieval-command.ts';
import { evalRunsCommand } from './eval-runs-command.ts';
import { EXIT } from './exit-codes.ts';

const EVAL_HELP = `Usage: cairn eval <subcommand>

  retrieval --dataset DIR          nDCG@10, Recall@k, MRR, MAP on a BEIR dataset
  answers --golden FILE            score answers; --baseline RUN --fail-on RULES gates CI
  report RUN [RUN...] --html FILE  self-contained HTML report with plots
  runs                             stored runs
  judge-check --labels FILE        how far to trust the judge
  add-from-trace ID --golden FILE  turn a traced answer into a golden item
  import FILE --format F           RAGAS or promptfoo JSONL/CSV -> golden set
  export --golden FILE --format F  golden set -> RAGAS, promptfoo or BEIR

Run "cairn eval <subcommand> --help" for options.
`;

/** `cairn eval ...`: dispatches to the evaluation subcommands. */
export async function evalCommand(args: string[], context: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'retrieval':
      return evalRetrievalCommand(rest, context);
    case 'answers':
      return evalAnswersCommand(rest, context);
    case 'report':
      return evalReportCommand(rest, context);
    case 'runs':
      return evalRunsCommand(rest, context);
    case 'judge-check':
      return evalJudgeCheckCommand(rest, context);
    case 'import':
      return evalImportCommand(rest, context);
    case 'export':
      return evalExportCommand(rest, context);
    case 'add-from-trace':
      return evalAddFromTraceCommand(rest, context);
    case undefined:
    case '--help':
    case 'help':
      context.stdout.write(EVAL_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default: {
      const suggestion = closestMatch(sub, commandsInHelp(EVAL_HELP, ''));
      context.stderr.write(
        suggestion
          ? `cairn eval: unknown subcommand "${sub}"; did you mean "cairn eval ${suggestion}"? See: cairn eval --help\n`
          : `cairn eval: unknown subcommand "${sub}"\n\n${EVAL_HELP}`,
      );
      return EXIT.usage;
    }
  }
}

export { ADD_FROM_TRACE_HELP, EVAL_ANSWERS_HELP, EVAL_RETRIEVAL_HELP, JUDGE_CHECK_HELP };
