import { maskSecrets } from '../config/index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';

export const CONFIG_HELP = `Usage: cairn config [--config FILE]

Prints the effective configuration (file, then environment variables, then defaults) as JSON,
with API keys masked, and says where it came from.
`;

/** `cairn config`: the effective configuration with secrets masked. */
export async function configCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('config', args, { help: { type: 'boolean' } });
  if (values.help) {
    context.stdout.write(CONFIG_HELP);
    return EXIT.ok;
  }
  const loaded = context.config();
  context.stdout.write(`${JSON.stringify(maskSecrets(loaded.config), null, 2)}\n`);
  context.stderr.write(
    `# file: ${loaded.file ?? '(none: defaults)'}\n` +
      (loaded.fromEnv.length > 0 ? `# from environment: ${loaded.fromEnv.join(', ')}\n` : ''),
  );
  return EXIT.ok;
}
