#!/usr/bin/env node
// Runs the CLI from dist/ when `npm run build` made it from the sources as they are now (an
// installed package always ships such a build), else the TypeScript sources through tsx. The
// build starts in about half the time: tsx spends several hundred milliseconds registering its
// loader and handing every module through it, on each run.
import { fileURLToPath } from 'node:url';
import { isBuildCurrent } from './build-current.js';

if (isBuildCurrent(fileURLToPath(new URL('..', import.meta.url)))) {
  await import('../dist/cli/run.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/run.ts');
}
