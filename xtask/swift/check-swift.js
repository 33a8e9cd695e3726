#!/usr/bin/env node
// Parses every hand-written Swift file under a folder with tree-sitter-swift and reports syntax
// errors. There is no Swift compiler on the CI machines; this catches broken Swift in the iOS
// shell. Generated bindings (any path with /Generated/), .build and node_modules are skipped:
// the grammar rejects a few valid constructs uniffi emits.
//
// usage: node check-swift.js <node_modules dir> <root dir>
// prints one line per failing file, then `N swift files parsed, M with errors`;
// exit 1 if M > 0 or N == 0.
'use strict';

const fs = require('fs');
const path = require('path');

function main() {
  const [modules, root] = process.argv.slice(2);
  if (!modules || !root) {
    console.error('usage: node check-swift.js <node_modules dir> <root dir>');
    process.exit(2);
  }
  const Parser = require(path.join(path.resolve(modules), 'tree-sitter'));
  const Swift = require(path.join(path.resolve(modules), 'tree-sitter-swift'));
  const parser = new Parser();
  parser.setLanguage(Swift);

  const files = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'Generated' || e.name === '.build' || e.name === 'node_modules') continue;
        walk(p);
      } else if (e.isFile() && e.name.endsWith('.swift')) {
        files.push(p);
      }
    }
  })(path.resolve(root));
  files.sort();

  let bad = 0;
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    // The Node binding reads long inputs in chunks through a callback.
    const tree = parser.parse((index) => src.slice(index, index + 8192));
    if (tree.rootNode.hasError) {
      bad += 1;
      const where = firstError(tree.rootNode);
      const pos = where ? `${where.startPosition.row + 1}:${where.startPosition.column + 1}` : '?';
      const kind = where ? (where.isMissing ? `missing ${where.type}` : where.type) : 'error';
      console.log(`${path.relative(process.cwd(), f)}:${pos}: ${kind}`);
    }
  }
  console.log(`${files.length} swift files parsed, ${bad} with errors`);
  process.exit(bad > 0 || files.length === 0 ? 1 : 0);
}

function firstError(node) {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c.hasError || c.isMissing) {
      const found = firstError(c);
      if (found) return found;
    }
  }
  return null;
}

main();
