// Fails when src/ has an import cycle, or when a layer imports upward (spec must stay dependency-free).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src');
const files = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.test.ts')) files.push(full);
  }
};
walk(root);

const graph = new Map();
for (const file of files) {
  const source = fs.readFileSync(file, 'utf8');
  const imports = [...source.matchAll(/^(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)].map((m) =>
    path.resolve(path.dirname(file), m[1]),
  );
  graph.set(
    file,
    imports.filter((target) => graph.has(target) || files.includes(target)),
  );
}

const problems = [];
const state = new Map();
const stack = [];
const visit = (file) => {
  state.set(file, 'active');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'active') {
      problems.push(
        `cycle: ${stack
          .slice(stack.indexOf(next))
          .concat(next)
          .map((f) => path.relative(root, f))
          .join(' -> ')}`,
      );
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 'done');
};
for (const file of files) if (!state.has(file)) visit(file);

for (const [file, imports] of graph) {
  const layer = path.relative(root, file).split(path.sep)[0];
  for (const target of imports) {
    const targetLayer = path.relative(root, target).split(path.sep)[0];
    if (layer === 'spec' && targetLayer !== 'spec')
      problems.push(`spec imports ${path.relative(root, target)} from ${path.relative(root, file)}`);
    if (targetLayer === 'cli' && layer !== 'cli')
      problems.push(`${path.relative(root, file)} imports the CLI`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`no import cycles in ${files.length} modules`);
