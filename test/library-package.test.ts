import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The package as another project gets it: built, packed with `npm pack`, unpacked into a fresh
// folder's node_modules. Its dependencies are linked from this checkout's node_modules (the
// machine has no registry mirror for a real install), so what is tested is cairn's own files:
// the exports map, the built modules and declarations, and the run-time files beside them.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let work = '';
let consumer = '';

function run(command: string, args: string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
}

/** The first ```ts block of the README's "## Library" section. */
function readmeLibraryExample(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has a TypeScript example under "## Library"');
  return block[1] as string;
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-package-'));
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  // The build ran just above; --ignore-scripts keeps `prepare` from rebuilding the web UI that
  // other tests are reading.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  consumer = path.join(work, 'consumer');
  const installed = path.join(consumer, 'node_modules', 'cairn');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    path.join(work, packed.split('\n').at(-1) as string),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dependency of [...Object.keys(manifest.dependencies), '@types/node']) {
    const link = path.join(consumer, 'node_modules', dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', dependency), link);
  }
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.mkdirSync(path.join(consumer, 'docs'));
  fs.writeFileSync(
    path.join(consumer, 'docs', 'retention.md'),
    '# Retention\n\nAudit logs are kept for 400 days, then deleted by the nightly purge.\n',
  );
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the packed tarball holds the built library and no tests', () => {
  const listed = execFileSync(
    'tar',
    ['-tzf', fs.readdirSync(work).find((f) => f.endsWith('.tgz')) as string],
    {
      cwd: work,
      encoding: 'utf8',
    },
  ).split('\n');
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/guard/models/injection-classifier.json']) {
    assert.ok(listed.includes(`package/${file}`), file);
  }
  assert.ok(listed.includes('package/dist/embed/local-embedder-worker.js'));
  assert.deepEqual(
    listed.filter((file) => file.endsWith('.test.ts') || file.includes('__fixtures__')),
    [],
  );
});

test("the README's library example runs from the package in a fresh ES-module folder", () => {
  fs.writeFileSync(path.join(consumer, 'example.mjs'), readmeLibraryExample());
  const result = run(process.execPath, ['example.mjs'], consumer);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /400 days/);
  assert.match(result.stdout, /retention\.md/, 'the citation names the document');
});

test('the declarations type-check a TypeScript caller, and a misspelt option is a type error', () => {
  fs.writeFileSync(
    path.join(consumer, 'caller.ts'),
    [
      "import { type AskResult, ask, createExtractiveAnswerer, openIndex } from 'cairn';",
      "const { store, embedder } = openIndex({ indexPath: ':memory:' });",
      'const answerer = createExtractiveAnswerer({ embedder });',
      "const result: AskResult = await ask({ store, embedder, answerer, question: 'How long?' });",
      'const cited: number = result.citations.length;',
      '// @ts-expect-error the option is `retrieval`',
      "await ask({ store, embedder, answerer, question: 'q', retreival: {} });",
      'console.log(cited);',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, types: ['node'] },
      files: ['caller.ts'],
    }),
  );
  const checked = run(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'],
    consumer,
  );
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
});

test('require() from CommonJS gets an error that says how to load cairn', () => {
  const commonjs = path.join(work, 'commonjs');
  fs.mkdirSync(commonjs);
  fs.symlinkSync(path.join(consumer, 'node_modules'), path.join(commonjs, 'node_modules'));
  fs.writeFileSync(path.join(commonjs, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  const result = run(process.execPath, ['-e', "require('cairn')"], commonjs);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /cairn is an ES module .*await import\('cairn'\)/);
});
