import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDomainConformance } from '../conformance/run-domain-conformance.ts';
import { openSqliteDomains } from './open-sqlite-domains.ts';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-domains-'));
let counter = 0;
// One index file per test: every writer a test opens shares it, the next test starts empty.
let current = path.join(tempDir, `index-${counter}.db`);

runDomainConformance({
  name: 'sqlite',
  open: async () => openSqliteDomains(current),
  cleanup: async () => {
    counter += 1;
    current = path.join(tempDir, `index-${counter}.db`);
  },
});
