import { type LoadedConfig, loadConfig } from '../config/index.ts';
import { runCli } from './main.ts';

// The process entry point: kept apart from main.ts so tests can import runCli without running it.
const argv = process.argv.slice(2);
const configIndex = argv.indexOf('--config');
const configFile = configIndex === -1 ? undefined : argv[configIndex + 1];
if (configIndex !== -1) argv.splice(configIndex, 2);
let loaded: LoadedConfig | undefined;
const code = await runCli(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  config: () => {
    loaded ??= loadConfig(configFile ? { file: configFile } : {});
    return loaded;
  },
});
process.exitCode = code;
