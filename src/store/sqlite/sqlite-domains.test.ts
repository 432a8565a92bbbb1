import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDomainConformance } from '../conformance/run-domain-conformance.ts';
import { openSqliteDomains } from './open-sqlite-domains.ts';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-domains-'));
let counter = 0;
// One folder per test (the index file and its uploads): every writer a test opens shares it, the
// next test starts empty.
const indexIn = (n: number) => {
  fs.mkdirSync(path.join(tempDir, `test-${n}`));
  return path.join(tempDir, `test-${n}`, 'index.db');
};
let current = indexIn(counter);

runDomainConformance({
  name: 'sqlite',
  open: async () => openSqliteDomains(current),
  cleanup: async () => {
    counter += 1;
    current = indexIn(counter);
  },
});
