#!/usr/bin/env node
// Checks the hand-written Swift of the iOS shell with tree-sitter-swift. There is no Swift
// compiler on the CI machines, so this is what stands between a broken shell and a green build.
//
// 1. Syntax: every hand-written Swift file under the root is parsed and syntax errors are
//    reported. Generated bindings (any folder named Generated), .build and node_modules are
//    left out of this: the grammar rejects a few valid constructs uniffi emits.
// 2. Calls into the bindings: the public API of the generated bindings (every Generated/*.swift
//    under the root) is collected: functions and methods with their argument labels (`_` for
//    an unlabeled parameter) and which parameters have defaults, the inits of public types
//    (called by the type's name), enum cases with their associated-value labels. Then every
//    call in the hand-written Swift whose callee is a name (`openRunsheet(config: c)`), a member
//    (`store.tap(tap: t)`) or an implicit member (`.signIn(token: x)`) is looked up: when the
//    name is declared in the bindings, some declaration of that name must accept the labels
//    used, in order, with defaulted parameters allowed to be left out (a trailing closure fills
//    any one parameter). A call none accepts is an error.
//
//    The hand-written sources also declare names (the stores wrap the core's methods under the
//    same names), so a call is accepted when a generated declaration or a hand-written one of
//    that name accepts its labels: hand-written functions, methods and enum cases by their
//    labels, hand-written types with any labels (memberwise inits), properties and parameters
//    (closures) with unlabeled arguments only; parameters are local and match a free call only.
//    This is by name, not by type: it catches a call into the bindings with labels no
//    declaration of that name has. Calls whose name neither side declares (SwiftUI,
//    Foundation) are counted as unknown. APPLE_CALLS lists Apple API calls whose names the
//    bindings also declare; those calls are not checked.
//
// usage: node check-swift.js <node_modules dir> <root dir>
// prints one line per failing file and per mismatched call, then
//   `N swift files parsed, M with errors`
//   `N calls into the bindings checked, X mismatched, U unknown`
// exit 1 if a file has a syntax error, a call matches no generated declaration, or N == 0 files.
'use strict';

const fs = require('fs');
const path = require('path');

// Apple API calls whose name the generated bindings also declare, as `name(labels:)` with `{}`
// for a trailing closure: the shells make them with Apple's meaning, so they are not checked
// against the bindings (other calls with these names still are).
const APPLE_CALLS = new Set([
  'task({}:)', // SwiftUI View.task(priority:_:) (the bindings: Runsheet.task(taskId:))
  'task(id:{}:)', // SwiftUI View.task(id:priority:_:)
  'task(priority:{}:)',
  'task(id:priority:{}:)',
  'insert(_:at:)', // Array.insert(_:at:) (the bindings: RowDiff.insert(index:row:))
  'remove(at:)', // Array.remove(at:) (the bindings: RowDiff.remove(index:))
  'start(queue:)', // NWPathMonitor.start(queue:) (the bindings: Shift.start())
]);

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
  const parse = (src) => parser.parse((index) => src.slice(index, index + 8192));

  const files = [];
  const generated = [];
  (function walk(dir, inGenerated) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === '.build' || e.name === 'node_modules') continue;
        walk(p, inGenerated || e.name === 'Generated');
      } else if (e.isFile() && e.name.endsWith('.swift')) {
        (inGenerated ? generated : files).push(p);
      }
    }
  })(path.resolve(root), false);
  files.sort();
  generated.sort();

  const api = new Map(); // name -> [{ labels: [..], defaults: [..] }]
  for (const f of generated) {
    collectApi(parse(forGrammar(fs.readFileSync(f, 'utf8'))).rootNode, api);
  }

  let bad = 0;
  const own = new Map(); // name -> declarations in the hand-written Swift
  const calls = [];
  for (const f of files) {
    const tree = parse(fs.readFileSync(f, 'utf8'));
    const rel = path.relative(process.cwd(), f);
    if (tree.rootNode.hasError) {
      bad += 1;
      const where = firstError(tree.rootNode);
      const pos = where ? `${where.startPosition.row + 1}:${where.startPosition.column + 1}` : '?';
      const kind = where ? (where.isMissing ? `missing ${where.type}` : where.type) : 'error';
      console.log(`${rel}:${pos}: ${kind}`);
    }
    collectOwn(tree.rootNode, own);
    collectCalls(tree.rootNode, rel, calls);
  }

  let checked = 0;
  let mismatched = 0;
  let unknown = 0;
  for (const call of calls) {
    if (APPLE_CALLS.has(signature(call.name, call.labels))) continue;
    const decls = api.get(call.name);
    const shell = (own.get(call.name) || []).filter((d) => d.member || !call.member);
    if (!decls) {
      if (shell.length === 0) unknown += 1;
      continue;
    }
    if (decls.length === 0) continue; // a generated type without a public init
    checked += 1;
    if (!decls.some((d) => accepts(d, call.labels)) && !shell.some((d) => accepts(d, call.labels))) {
      mismatched += 1;
      const have = [...new Set(decls.map((d) => signature(call.name, d.labels)))].join(', ');
      console.log(
        `${call.file}:${call.line}: call ${signature(call.name, call.labels)} ` +
          `matches no generated declaration (have: ${have})`
      );
    }
  }

  if (generated.length === 0) {
    console.log(`no generated bindings under ${root}: calls into the bindings not checked`);
  }
  console.log(`${files.length} swift files parsed, ${bad} with errors`);
  console.log(`${checked} calls into the bindings checked, ${mismatched} mismatched, ${unknown} unknown`);
  process.exit(bad > 0 || mismatched > 0 || files.length === 0 ? 1 : 0);
}

// The grammar stops at `#if` blocks around declarations and at `nonisolated(unsafe)`, both of
// which uniffi emits; blank them out (keeping the line count) so the declarations parse.
function forGrammar(src) {
  return src
    .split('\n')
    .map((l) => (/^\s*#(if|elseif|else|endif)\b/.test(l) ? '' : l.replace('nonisolated(unsafe) ', '')))
    .join('\n');
}

// --- the generated API -------------------------------------------------------------------

function isPublic(node) {
  const mods = childOfType(node, 'modifiers');
  if (!mods) return false;
  return /\b(public|open)\b/.test(mods.text);
}

function isBindingPlumbing(name) {
  return name.startsWith('FfiConverter') || name.startsWith('uniffi') || name.startsWith('Uniffi');
}

function addDecl(api, name, decl) {
  if (!api.has(name)) api.set(name, []);
  if (decl) api.get(name).push(decl);
}

// Walks the declarations of a generated file; `inType` is the name of the enclosing public
// type (or extension) and whether its members are public without a modifier (protocols).
function collectApi(node, api, inType = null) {
  for (let i = 0; i < node.namedChildCount; i++) {
    const c = node.namedChild(i);
    switch (c.type) {
      case 'class_declaration':
      case 'protocol_declaration': {
        const nameNode = c.childForFieldName('name');
        const body = c.childForFieldName('body');
        if (!nameNode || !body) break;
        const name = nameNode.text;
        const kind = c.type === 'class_declaration' ? declarationKind(c) : 'protocol';
        if (kind === 'extension') {
          // `extension Foo { public func ... }`: members carry their own modifier.
          if (!isBindingPlumbing(name)) collectApi(body, api, { name, implicit: false });
          break;
        }
        if (!isPublic(c) || isBindingPlumbing(name)) break;
        if (kind !== 'protocol') addDecl(api, name, null); // a type: called by name for its inits
        collectApi(body, api, { name, implicit: kind === 'protocol' });
        break;
      }
      case 'function_declaration':
      case 'protocol_function_declaration': {
        const nameNode = c.childForFieldName('name');
        if (!nameNode) break;
        const name = nameNode.text;
        if (isBindingPlumbing(name)) break;
        if (!(isPublic(c) || (inType && inType.implicit))) break;
        addDecl(api, name, parameters(c));
        break;
      }
      case 'init_declaration': {
        if (!inType || !(isPublic(c) || inType.implicit)) break;
        addDecl(api, inType.name, parameters(c));
        break;
      }
      case 'enum_entry': {
        // Enum cases are as public as their (public) enum; one entry may name several cases.
        if (!inType) break;
        for (let j = 0; j < c.childCount; j++) {
          if (c.fieldNameForChild(j) !== 'name') continue;
          const next = c.child(j + 1);
          // A case without associated values is never called, so it declares nothing here.
          if (next && next.type === 'enum_type_parameters') {
            addDecl(api, unquote(c.child(j).text), caseParameters(next));
          }
        }
        break;
      }
      case 'class_body':
      case 'enum_class_body':
      case 'protocol_body':
        collectApi(c, api, inType);
        break;
      default:
        break;
    }
  }
}

function declarationKind(node) {
  const k = node.childForFieldName('declaration_kind');
  if (k) return k.text;
  for (let i = 0; i < node.childCount; i++) {
    const t = node.child(i).type;
    if (['class', 'struct', 'enum', 'extension', 'actor'].includes(t)) return t;
  }
  return 'class';
}

// The parameters of a function or init: labels (`_` when unlabeled) and defaults. A default
// value follows its parameter as a sibling (`=`, default_value).
function parameters(fn) {
  const labels = [];
  const defaults = [];
  for (let i = 0; i < fn.childCount; i++) {
    const c = fn.child(i);
    if (c.type === 'parameter') {
      const external = c.childForFieldName('external_name');
      const name = c.childForFieldName('name');
      labels.push(unquote((external || name).text));
      defaults.push(false);
    } else if (fn.fieldNameForChild(i) === 'default_value' && defaults.length > 0) {
      defaults[defaults.length - 1] = true;
    } else if (c.type === 'function_body') {
      break;
    }
  }
  return { labels, defaults };
}

// `case name(label: T, _ x: U = d)`: the contents are a flat run of labels, `_`, types and
// defaults.
function caseParameters(node) {
  const labels = [];
  const defaults = [];
  let label = null;
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    const field = node.fieldNameForChild(i);
    if (c.type === 'wildcard_pattern') {
      label = '_';
    } else if (c.type === 'simple_identifier' && field !== 'name' && field !== 'default_value') {
      if (label === null) label = unquote(c.text);
    } else if (field === 'name') {
      labels.push(label === null ? '_' : label);
      defaults.push(false);
      label = null;
    } else if (field === 'default_value' && defaults.length > 0) {
      defaults[defaults.length - 1] = true;
    }
  }
  return { labels, defaults };
}

// --- the hand-written sources ------------------------------------------------------------

// What the hand-written Swift declares, by name: functions, methods and enum cases with their
// labels; types, whose inits (explicit or memberwise) are taken to accept any labels; and
// properties, parameters and closure parameters, which, when called, take unlabeled arguments
// (closures). Parameters and closure parameters are local names: they match a free call only.
function collectOwn(node, own) {
  const add = (nameNode, decl) => {
    if (!nameNode) return;
    const name = unquote(nameNode.text);
    if (!own.has(name)) own.set(name, []);
    own.get(name).push(decl);
  };
  (function walk(n, typeName) {
    let inner = typeName;
    switch (n.type) {
      case 'function_declaration':
      case 'protocol_function_declaration':
        add(n.childForFieldName('name'), { ...parameters(n), member: true });
        break;
      case 'init_declaration':
        if (typeName) add({ text: typeName }, { ...parameters(n), member: true });
        break;
      case 'class_declaration':
      case 'protocol_declaration':
      case 'typealias_declaration': {
        const nameNode = n.childForFieldName('name');
        if (nameNode) inner = nameNode.text.replace(/<.*$/, '');
        if (!(n.type === 'class_declaration' && declarationKind(n) === 'extension')) {
          add(nameNode, { any: true, member: true });
        }
        break;
      }
      case 'enum_entry':
        for (let j = 0; j < n.childCount; j++) {
          if (n.fieldNameForChild(j) !== 'name') continue;
          const next = n.child(j + 1);
          if (next && next.type === 'enum_type_parameters') {
            add(n.child(j), { ...caseParameters(next), member: true });
          }
        }
        break;
      case 'property_declaration':
      case 'protocol_property_declaration':
        for (const id of descendantsOfType(n.childForFieldName('name'), 'simple_identifier')) {
          add(id, { closure: true, member: true });
        }
        break;
      case 'parameter':
      case 'lambda_parameter':
        add(n.childForFieldName('name'), { closure: true, member: false });
        break;
      default:
        break;
    }
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i), inner);
  })(node, null);
}

// Every call whose callee is a name, a member or an implicit member, with the labels used
// (`_` for an unlabeled argument, `*` for a trailing closure).
function collectCalls(node, file, calls) {
  (function walk(n) {
    if (n.type === 'call_expression' && n.namedChildCount >= 2) {
      const callee = n.namedChild(0);
      const suffix = n.namedChild(1);
      const target = calleeName(callee);
      if (target && suffix.type === 'call_suffix') {
        calls.push({
          file,
          line: target.node.startPosition.row + 1,
          name: target.name,
          member: target.member,
          labels: argumentLabels(suffix),
        });
      }
    }
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i));
  })(node);
}

function calleeName(callee) {
  if (callee.type === 'simple_identifier') {
    return { name: unquote(callee.text), member: false, node: callee };
  }
  if (callee.type === 'navigation_expression') {
    const suffix = callee.childForFieldName('suffix');
    const name = suffix && suffix.childForFieldName('suffix');
    if (name && name.type === 'simple_identifier') {
      return { name: unquote(name.text), member: true, node: name };
    }
    return null;
  }
  if (callee.type === 'prefix_expression') {
    const op = callee.childForFieldName('operation');
    const target = callee.childForFieldName('target');
    if (op && op.text === '.' && target && target.type === 'simple_identifier') {
      return { name: unquote(target.text), member: true, node: target };
    }
  }
  return null;
}

function argumentLabels(suffix) {
  const labels = [];
  for (let i = 0; i < suffix.namedChildCount; i++) {
    const c = suffix.namedChild(i);
    if (c.type === 'value_arguments') {
      for (let j = 0; j < c.namedChildCount; j++) {
        const a = c.namedChild(j);
        if (a.type !== 'value_argument') continue;
        const label = a.childForFieldName('name');
        labels.push(label ? unquote(label.text) : '_');
      }
    } else if (c.type === 'lambda_literal' || c.type === 'annotated_lambda') {
      labels.push('*');
    }
  }
  return labels;
}

// --- matching ----------------------------------------------------------------------------

// Whether a declaration accepts the labels used, in order; defaulted parameters may be left
// out and a trailing closure (`*`) fills any one parameter.
function accepts(decl, used) {
  if (decl.any) return true;
  if (decl.closure) return used.every((l) => l === '_' || l === '*');
  const { labels, defaults } = decl;
  const memo = new Map();
  const go = (i, j) => {
    const key = i * 1000 + j;
    if (memo.has(key)) return memo.get(key);
    let ok;
    if (i === used.length) {
      ok = defaults.slice(j).every(Boolean);
    } else if (j === labels.length) {
      ok = false;
    } else {
      ok =
        ((used[i] === '*' || used[i] === labels[j]) && go(i + 1, j + 1)) ||
        (defaults[j] && go(i, j + 1));
    }
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

function signature(name, labels) {
  return `${name}(${labels.map((l) => `${l === '*' ? '{}' : l}:`).join('')})`;
}

// --- tree helpers ------------------------------------------------------------------------

function unquote(name) {
  return name.replace(/^`(.*)`$/, '$1');
}

function childOfType(node, type) {
  for (let i = 0; i < node.childCount; i++) {
    if (node.child(i).type === type) return node.child(i);
  }
  return null;
}

function descendantsOfType(node, type) {
  if (!node) return [];
  const out = [];
  (function walk(n) {
    if (n.type === type) out.push(n);
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i));
  })(node);
  return out;
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
