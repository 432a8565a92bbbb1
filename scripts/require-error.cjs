// What `require('cairn')` gets: cairn is an ES module (it uses top-level await), and Node 20
// cannot require one. Say so and how to load it, instead of Node's generic ERR_REQUIRE_ESM.
throw new Error(
  'cairn is an ES module and cannot be loaded with require(). From CommonJS use `const cairn = await import(\'cairn\')`, or set "type": "module" in your package.json and `import { openIndex, ingestPath, ask } from \'cairn\'`.',
);
