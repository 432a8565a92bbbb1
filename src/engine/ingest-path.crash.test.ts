import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

const child = fileURLToPath(new URL('./__fixtures__/ingest-until-killed.ts', import.meta.url));

function writeCorpus(dir: string, version: string, documents: number) {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < documents; i++) {
    const paragraphs = Array.from(
      { length: 6 },
      (_, p) => `Version ${version} paragraph ${p} of document ${i} with filler words.`,
    );
    fs.writeFileSync(path.join(dir, `doc-${i}.md`), `# Doc ${i}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

/** Every document is whole and of one version; FTS and vector rows match the chunks exactly. */
function checkConsistent(indexPath: string): Map<string, number> {
  const db = new Database(indexPath);
  sqliteVec.load(db);
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }) as string, 'ok');
    const documents = db.prepare('SELECT id, chunk_count FROM documents').all() as {
      id: string;
      chunk_count: number;
    }[];
    const perVersion = new Map<string, number>();
    for (const document of documents) {
      const texts = (
        db.prepare('SELECT text FROM chunks WHERE doc_id = ?').all(document.id) as { text: string }[]
      ).map((row) => row.text);
      assert.equal(texts.length, document.chunk_count, `${document.id} has all its chunks`);
      const versions = new Set(texts.flatMap((text) => text.match(/Version v\d+/g) ?? []));
      assert.equal(versions.size, 1, `${document.id} mixes versions: ${[...versions]}`);
      const [version] = versions as Set<string>;
      perVersion.set(version as string, (perVersion.get(version as string) ?? 0) + 1);
    }
    const chunks = (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
    const vectors = (db.prepare('SELECT count(*) AS n FROM chunks_vec').get() as { n: number }).n;
    assert.equal(vectors, chunks, 'one vector per chunk');
    const orphans = db
      .prepare(
        'SELECT count(*) AS n FROM chunks c LEFT JOIN documents d ON d.id = c.doc_id WHERE d.id IS NULL',
      )
      .get() as { n: number };
    assert.equal(orphans.n, 0, 'no chunk without its document');
    return perVersion;
  } finally {
    db.close();
  }
}

const DOCUMENTS = 1000;

function runChild(corpus: string, indexPath: string, killAfterDocuments: number) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', child, corpus, indexPath, String(killAfterDocuments)],
    {
      encoding: 'utf8',
    },
  );
}

test('a process killed mid-ingest leaves every document whole: old version or new, never a mix', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-crash-'));
  const corpus = path.join(root, 'docs');
  const indexPath = path.join(root, 'index.db');
  writeCorpus(corpus, 'v1', DOCUMENTS);
  const first = runChild(corpus, indexPath, DOCUMENTS + 1);
  assert.match(first.stdout, /finished before the kill/, first.stderr);
  assert.deepEqual(checkConsistent(indexPath), new Map([['Version v1', DOCUMENTS]]));

  // Each round rewrites every document as a new version and kills the re-ingest part-way, at a
  // different document each time, while the next document is being parsed, embedded or written.
  let interruptedMidRun = 0;
  for (const [round, killAfter] of [137, 401, 650, 913].entries()) {
    writeCorpus(corpus, `v${round + 2}`, DOCUMENTS);
    const killed = runChild(corpus, indexPath, killAfter);
    const versions = checkConsistent(indexPath);
    assert.equal(
      [...versions.values()].reduce((a, b) => a + b, 0),
      DOCUMENTS,
    );
    if (killed.signal === 'SIGKILL' && versions.size > 1) interruptedMidRun++;
  }
  // Unless some kill landed mid-run, the test proved nothing.
  assert.ok(interruptedMidRun > 0, 'no kill landed in the middle of a re-ingest');
});
