import fs from 'node:fs';

/** cairn's version, from its package.json (the same path from src/ and from the built dist/). */
export const CAIRN_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
