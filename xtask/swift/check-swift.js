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
// 3. Names: no public generated type may share its name with a type of Apple's frameworks that
//    the hand-written Swift sees (APPLE_TYPES: SwiftUI with Combine, UIKit, Foundation, the
//    standard library). A file importing SwiftUI and RunsheetCore cannot write such a name
//    bare (`NavigationLink` is ambiguous). ALLOWED_COLLISIONS lists the few the bindings have
//    today, each with why it is safe: the hand-written code outside the RunsheetCore module
//    never writes the name bare (it writes `RunsheetCore.Body`), which is checked. Inside the
//    module (next to Generated/) the module's own type shadows the import, so that is fine.
// 4. The app's resources, when the root holds an `App/` folder with `<lang>.lproj` folders:
//    every .strings key (and every .stringsdict entry) exists in every language, once, with
//    the same format specifiers; every literal key passed to `ShellWords.text` exists in the
//    development language's Localizable.strings. No text in App/ has a fixed point size
//    (`.system(size:)`, `systemFont(ofSize:)`, `.custom(_:size:)` without `relativeTo:`): text
//    follows Dynamic Type.
// 5. Info.plist, when the root holds an XcodeGen `project.yml`: what the Swift asks iOS for has
//    its Info.plist key in project.yml or a file it includes (PLIST_NEEDS: the camera ⇒
//    NSCameraUsageDescription; when-in-use or always location ⇒ the location keys; background
//    location updates, remote notifications and BGTaskScheduler ⇒ UIBackgroundModes and the
//    task's identifier in BGTaskSchedulerPermittedIdentifiers; an Info.plist key read with
//    `forInfoDictionaryKey:`), and every usage description is translated in every
//    language's InfoPlist.strings.
//
// usage: node check-swift.js <node_modules dir> <root dir>
// prints one line per failing file, mismatched call and failed resource check, then
//   `N swift files parsed, M with errors`
//   `N calls into the bindings checked, X mismatched, U unknown`
//   `N resource checks, X failed (allowed name collisions: A, B)`
// exit 1 if a file has a syntax error, a call matches no generated declaration, a resource
// check fails, or N == 0 files.
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

// Top-level type names of the frameworks the shell imports (SwiftUI re-exports Combine), as
// `name: framework`. Not every type: the ones a courier app's code plausibly writes, and any
// the bindings' record and enum names (courier words) could meet.
const APPLE_TYPES = Object.fromEntries(
  [
    ['SwiftUI', 'View Text Image Label Button List Section Form Toggle Picker NavigationLink NavigationStack NavigationView NavigationPath NavigationSplitView Link Color Font Group Body Menu Stepper Slider TextField SecureField ProgressView Gauge Spacer Divider Canvas Path Shape Table Grid GridRow TabView ScrollView LazyVStack LazyHStack VStack HStack ZStack Alert Sheet Scene WindowGroup App State Binding Environment EnvironmentObject ObservedObject StateObject Namespace Angle Edge Alignment Transaction Animation Gesture Layout Anchor Material Gradient ShapeStyle ForEach EmptyView AnyView Tab ContentUnavailableView'],
    ['Combine', 'Subscription Subscriber Publisher Published ObservableObject Cancellable AnyCancellable Subject Future Just Empty Fail Deferred Record'],
    ['UIKit', 'UIView UIViewController UIApplication UIColor UIFont UIImage UIScreen UILabel UIButton UIWindow UIScene UIAlertController UIAction UIMenu UIEvent UITouch'],
    ['Foundation', 'Date Data URL URLRequest URLSession Locale Calendar TimeZone Bundle Notification NotificationCenter Timer Operation OperationQueue Progress Measurement Unit UnitLength UnitDuration DateInterval DateComponents Decimal UUID IndexPath IndexSet CharacterSet Thread RunLoop Scanner Host Process Port Stream FileManager UserDefaults JSONEncoder JSONDecoder NSError Expression Predicate AttributedString Duration'],
    ['Swift', 'Task Error Result Never Optional Array Dictionary Set String Character Int Double Float Bool Range Sequence Collection Codable Hashable Equatable Identifiable Comparable Void Any AnyObject Clock ContinuousClock SuspendingClock Instant Mirror Unicode Substring'],
  ].flatMap(([framework, names]) => names.split(' ').map((n) => [n, framework]))
);

// Collisions the bindings have today, each with why it is safe. The hand-written Swift outside
// the RunsheetCore module must never write these bare; the check fails where it does.
const ALLOWED_COLLISIONS = {
  Body: 'the screen\'s page (screens crate); the app writes RunsheetCore.Body, since inside a View `Body` is SwiftUI\'s associated type',
  NavigationLink: 'a task\'s maps link (core); the app never names the type (it draws maps offers from the screen)',
  Subscription: 'the task-list listener handle (core); only TaskListStore inside the module names it, where the module\'s type shadows Combine\'s',
};

// What the Swift asks iOS for, and the Info.plist keys (or values) that must come with it.
const PLIST_NEEDS = [
  { uses: /AVCaptureDevice\.requestAccess\b/, what: 'AVCaptureDevice.requestAccess', keys: ['NSCameraUsageDescription'] },
  { uses: /\bDataScannerViewController\b/, what: 'DataScannerViewController', keys: ['NSCameraUsageDescription'] },
  { uses: /sourceType\s*=\s*\.camera\b/, what: 'UIImagePickerController camera', keys: ['NSCameraUsageDescription'] },
  { uses: /\.requestWhenInUseAuthorization\(/, what: 'requestWhenInUseAuthorization', keys: ['NSLocationWhenInUseUsageDescription'] },
  {
    uses: /\.requestAlwaysAuthorization\(/,
    what: 'requestAlwaysAuthorization',
    keys: ['NSLocationWhenInUseUsageDescription', 'NSLocationAlwaysAndWhenInUseUsageDescription'],
  },
  { uses: /\.allowsBackgroundLocationUpdates\s*=/, what: 'allowsBackgroundLocationUpdates', keys: ['UIBackgroundModes'], values: ['location'] },
  {
    uses: /\.registerForRemoteNotifications\(/,
    what: 'registerForRemoteNotifications',
    keys: ['UIBackgroundModes', 'aps-environment'],
    values: ['remote-notification'],
  },
  { uses: /BGAppRefreshTaskRequest\(/, what: 'BGAppRefreshTaskRequest', keys: ['UIBackgroundModes', 'BGTaskSchedulerPermittedIdentifiers'], values: ['fetch'] },
  { uses: /BGProcessingTaskRequest\(/, what: 'BGProcessingTaskRequest', keys: ['UIBackgroundModes', 'BGTaskSchedulerPermittedIdentifiers'], values: ['processing'] },
];

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
  const types = new Map(); // public generated type name -> file
  for (const f of generated) {
    const tree = parse(forGrammar(fs.readFileSync(f, 'utf8')));
    collectApi(tree.rootNode, api);
    for (const name of generatedTypes(tree.rootNode)) types.set(name, path.relative(process.cwd(), f));
  }
  // The module the bindings belong to: the folder holding Generated/.
  const moduleDirs = [...new Set(generated.map((f) => path.dirname(path.dirname(f))))];

  let bad = 0;
  const own = new Map(); // name -> declarations in the hand-written Swift
  const calls = [];
  const sources = new Map(); // hand-written file -> { src, tree }
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const tree = parse(src);
    sources.set(f, { src, tree });
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
  const outsideModule = files.filter((f) => !moduleDirs.some((d) => f.startsWith(d + path.sep)));
  const res = { checked: 0, failed: 0 };
  const fail = (line) => {
    res.failed += 1;
    console.log(line);
  };
  const allowed = checkNames(types, outsideModule, sources, res, fail);
  const appDir = path.join(path.resolve(root), 'App');
  checkStrings(appDir, sources, res, fail);
  checkInfoPlist(path.resolve(root), appDir, sources, res, fail);

  console.log(`${files.length} swift files parsed, ${bad} with errors`);
  console.log(`${checked} calls into the bindings checked, ${mismatched} mismatched, ${unknown} unknown`);
  console.log(
    `${res.checked} resource checks, ${res.failed} failed ` +
      `(allowed name collisions: ${allowed.length ? allowed.join(', ') : 'none'})`
  );
  process.exit(bad > 0 || mismatched > 0 || res.failed > 0 || files.length === 0 ? 1 : 0);
}

// --- 3. names shared with Apple's types ---------------------------------------------------

// The public type names a generated file declares (classes, structs, enums, protocols and
// type aliases), leaving out the binding plumbing.
function generatedTypes(rootNode) {
  const names = [];
  for (let i = 0; i < rootNode.namedChildCount; i++) {
    const c = rootNode.namedChild(i);
    if (!['class_declaration', 'protocol_declaration', 'typealias_declaration'].includes(c.type)) continue;
    if (c.type === 'class_declaration' && declarationKind(c) === 'extension') continue;
    const nameNode = c.childForFieldName('name');
    if (!nameNode || !isPublic(c)) continue;
    const name = nameNode.text.replace(/<.*$/, '');
    if (!isBindingPlumbing(name)) names.push(name);
  }
  return names;
}

// Fails on a generated type named like one of Apple's unless it is an allowed collision, and
// on every bare use of an allowed one outside the module. Returns the allowed collisions met.
function checkNames(types, outsideModule, sources, res, fail) {
  const allowed = [];
  for (const [name, file] of [...types].sort()) {
    res.checked += 1;
    const framework = APPLE_TYPES[name];
    if (!framework) continue;
    if (!ALLOWED_COLLISIONS[name]) {
      fail(
        `${file}: generated type ${name} shares its name with ${framework}.${name}; rename it ` +
          `in the Rust (or list it in ALLOWED_COLLISIONS with why it is safe)`
      );
      continue;
    }
    allowed.push(name);
  }
  for (const f of outsideModule) {
    const { tree } = sources.get(f);
    const rel = path.relative(process.cwd(), f);
    for (const node of bareNames(tree.rootNode, new Set(allowed))) {
      res.checked += 1;
      fail(
        `${rel}:${node.startPosition.row + 1}: ${node.text} written bare is ambiguous with ` +
          `${APPLE_TYPES[node.text]}.${node.text}; write RunsheetCore.${node.text}`
      );
    }
  }
  return allowed;
}

// Uses of the names as a type or a value that no `RunsheetCore.` (or other) qualifier precedes.
function bareNames(rootNode, names) {
  const out = [];
  (function walk(n) {
    if (names.has(n.text) && (n.type === 'type_identifier' || n.type === 'simple_identifier')) {
      const parent = n.parent;
      let bare;
      if (n.type === 'type_identifier') {
        // `RunsheetCore.Body` is one user_type of two type identifiers.
        bare = !(parent && parent.type === 'user_type' && n.previousNamedSibling);
        if (parent && parent.type === 'typealias_declaration' && parent.childForFieldName('name') === n) bare = false;
      } else {
        const declaring = ['pattern', 'value_argument_label', 'navigation_suffix', 'parameter', 'function_declaration'];
        bare = !(parent && declaring.includes(parent.type));
      }
      if (bare) out.push(n);
    }
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i));
  })(rootNode);
  return out;
}

// --- 4. the shell's words -----------------------------------------------------------------

// The entries of a .strings file as [key, value, line], and the lines it could not read.
// Comments (`/* */`, `//`) are skipped; escapes are kept as written.
function readStrings(text) {
  const entries = [];
  const errors = [];
  let i = 0;
  let line = 1;
  const str = () => {
    // at a '"': read to the closing quote
    let out = '';
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (text[i] === '\n') line += 1;
      out += text[i];
      i += 1;
    }
    i += 1;
    return out;
  };
  const skip = () => {
    for (;;) {
      if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        const stop = end < 0 ? text.length : end + 2;
        line += (text.slice(i, stop).match(/\n/g) || []).length;
        i = stop;
      } else if (text.startsWith('//', i)) {
        while (i < text.length && text[i] !== '\n') i += 1;
      } else if (i < text.length && /\s/.test(text[i])) {
        if (text[i] === '\n') line += 1;
        i += 1;
      } else {
        return;
      }
    }
  };
  for (;;) {
    skip();
    if (i >= text.length) break;
    const at = line;
    if (text[i] !== '"') {
      errors.push(at);
      while (i < text.length && text[i] !== ';') i += 1;
      i += 1;
      continue;
    }
    const key = str();
    skip();
    if (text[i] !== '=') {
      errors.push(at);
      while (i < text.length && text[i] !== ';') i += 1;
      i += 1;
      continue;
    }
    i += 1;
    skip();
    const value = text[i] === '"' ? str() : null;
    skip();
    if (value === null || text[i] !== ';') {
      errors.push(at);
      while (i < text.length && text[i] !== ';') i += 1;
    }
    i += 1;
    if (value !== null) entries.push([key, value, at]);
  }
  return { entries, errors };
}

// The top-level entries of a .stringsdict (an XML plist of dicts) with the format specifiers
// of all the strings under each (the `%#@var@` references left out).
function readStringsdict(text) {
  const entries = new Map();
  const tokens = text.match(/<dict>|<\/dict>|<dict\/>|<key>[^<]*<\/key>|<string>[^<]*<\/string>/g) || [];
  let depth = 0;
  let current = null;
  let lastKey = null;
  for (const t of tokens) {
    if (t === '<dict>') {
      depth += 1;
      if (depth === 2 && lastKey !== null) {
        current = lastKey;
        entries.set(current, []);
      }
    } else if (t === '</dict>') {
      depth -= 1;
      if (depth < 2) current = null;
    } else if (t.startsWith('<key>')) {
      lastKey = t.slice(5, -6);
    } else if (t.startsWith('<string>') && current !== null) {
      entries.get(current).push(...specifiers(t.slice(8, -9).replace(/%#@\w+@/g, '')));
    }
  }
  return entries;
}

// The format specifiers of a string, in order (`%%` is not one); a positional one counts by
// its position, so `%1$@ %2$lld` and `%2$lld %1$@` agree.
function specifiers(value) {
  const found = value.match(/%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|q|z|t|j|L)?[@dDiuUxXoOfFeEgGcCsSpaA%]/g) || [];
  const out = [];
  let next = 1;
  for (const f of found) {
    if (f === '%%') continue;
    const positional = f.match(/^%(\d+)\$(.*)$/);
    if (positional) out.push(`${positional[1]}:%${positional[2]}`);
    else out.push(`${next++}:${f}`);
  }
  return out.sort();
}

// Every .strings and .stringsdict file of every language of the app holds the same keys, each
// once, with the same specifiers; the keys the Swift passes to ShellWords.text exist.
function checkStrings(appDir, sources, res, fail) {
  if (!fs.existsSync(appDir)) return;
  const langs = fs
    .readdirSync(appDir)
    .filter((d) => d.endsWith('.lproj'))
    .sort();
  if (langs.length === 0) return;
  const rel = (...p) => path.relative(process.cwd(), path.join(appDir, ...p));
  const tables = new Set();
  for (const l of langs) {
    for (const f of fs.readdirSync(path.join(appDir, l))) {
      if (f.endsWith('.strings') || f.endsWith('.stringsdict')) tables.add(f);
    }
  }
  const development = langs.includes('en.lproj') ? 'en.lproj' : langs[0];
  const keysOf = {}; // table -> lang -> Map(key -> specifiers)
  for (const table of [...tables].sort()) {
    keysOf[table] = {};
    for (const l of langs) {
      const file = path.join(appDir, l, table);
      res.checked += 1;
      if (!fs.existsSync(file)) {
        fail(`${rel(l, table)}: missing (${table} exists in another language)`);
        continue;
      }
      const text = fs.readFileSync(file, 'utf8');
      const keys = new Map();
      if (table.endsWith('.stringsdict')) {
        for (const [k, specs] of readStringsdict(text)) keys.set(k, specs.sort());
      } else {
        const { entries, errors } = readStrings(text);
        for (const at of errors) fail(`${rel(l, table)}:${at}: not a "key" = "value"; line`);
        for (const [k, v, at] of entries) {
          if (keys.has(k)) fail(`${rel(l, table)}:${at}: key "${k}" given twice`);
          keys.set(k, specifiers(v));
        }
      }
      keysOf[table][l] = keys;
    }
    const all = new Set(Object.values(keysOf[table]).flatMap((m) => [...m.keys()]));
    const base = keysOf[table][development] || new Map();
    for (const k of [...all].sort()) {
      for (const l of langs) {
        const keys = keysOf[table][l];
        if (!keys) continue;
        res.checked += 1;
        if (!keys.has(k)) {
          fail(`${rel(l, table)}: key "${k}" missing (present in another language)`);
        } else if (base.has(k) && keys.get(k).join(' ') !== base.get(k).join(' ')) {
          fail(
            `${rel(l, table)}: key "${k}" has format specifiers [${keys.get(k).join(' ')}], ` +
              `${development} has [${base.get(k).join(' ')}]`
          );
        }
      }
    }
  }
  // Dynamic Type: no fixed point sizes for text.
  const fixed = /\.system\(\s*size:|systemFont\(\s*ofSize:|\.custom\((?![^)]*relativeTo:)[^)]*size:/;
  for (const [f, { src }] of sources) {
    if (!f.startsWith(appDir + path.sep)) continue;
    src.split('\n').forEach((l, i) => {
      if (!fixed.test(l)) return;
      res.checked += 1;
      fail(`${path.relative(process.cwd(), f)}:${i + 1}: a fixed font size; use a text style (Dynamic Type)`);
    });
  }
  // Keys used in code: `ShellWords.text("key", ...)`, including both arms of a `?:`.
  const localizable = (keysOf['Localizable.strings'] || {})[development] || new Map();
  const plurals = (keysOf['Localizable.stringsdict'] || {})[development] || new Map();
  for (const [f, { tree }] of sources) {
    if (!f.startsWith(appDir + path.sep)) continue;
    for (const [key, line] of shellWordKeys(tree.rootNode)) {
      res.checked += 1;
      if (!localizable.has(key) && !plurals.has(key)) {
        fail(`${path.relative(process.cwd(), f)}:${line}: ShellWords key "${key}" is in no ${development} Localizable table`);
      }
    }
  }
}

// The literal keys given to `ShellWords.text(...)` as its first argument, with their lines.
function shellWordKeys(rootNode) {
  const out = [];
  (function walk(n) {
    if (n.type === 'call_expression' && n.namedChildCount >= 2) {
      const callee = n.namedChild(0);
      if (callee.type === 'navigation_expression' && /^ShellWords\s*\.\s*text$/.test(callee.text)) {
        const args = descendantsOfType(n.namedChild(1), 'value_arguments')[0];
        const first = args && args.namedChildren.find((a) => a.type === 'value_argument');
        for (const lit of descendantsOfType(first, 'line_string_literal')) {
          if (lit.namedChildren.some((c) => c.type !== 'line_str_text')) continue; // interpolated
          out.push([lit.text.slice(1, -1), lit.startPosition.row + 1]);
        }
      }
    }
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i));
  })(rootNode);
  return out;
}

// --- 5. Info.plist keys in the XcodeGen spec -----------------------------------------------

// project.yml and the files it includes (`include:` entries, relative to project.yml).
function xcodegenSpec(root) {
  const project = path.join(root, 'project.yml');
  if (!fs.existsSync(project)) return null;
  const text = fs.readFileSync(project, 'utf8');
  const files = [project];
  const include = text.match(/^include:\s*\n((?:\s+-.*\n?)+)/m);
  if (include) {
    for (const m of include[1].matchAll(/^\s+-\s*(?:path:\s*)?(\S+)/gm)) files.push(path.join(root, m[1]));
  }
  const texts = files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
  const missing = files.filter((f) => !fs.existsSync(f));
  return { text: texts.join('\n'), missing, project };
}

// The value of a YAML key as written on its line and any `- item` lines under it.
function yamlValues(text, key) {
  const out = [];
  const re = new RegExp(`^(\\s*)${key.replace(/[-.]/g, '\\$&')}:(.*)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const inline = m[2].trim();
    if (inline.startsWith('[')) out.push(...inline.slice(1, -1).split(',').map((v) => v.trim()));
    else if (inline) out.push(inline);
    const rest = text.slice(m.index + m[0].length + 1).split('\n');
    for (const l of rest) {
      const item = l.match(/^\s+-\s*(.+)$/);
      if (!item) break;
      out.push(item[1].trim());
    }
  }
  return out.map((v) => v.replace(/^["']|["']$/g, ''));
}

function hasYamlKey(text, key) {
  return new RegExp(`^\\s*${key.replace(/[-.]/g, '\\$&')}:`, 'm').test(text);
}

function checkInfoPlist(root, appDir, sources, res, fail) {
  const spec = xcodegenSpec(root);
  if (!spec) return;
  const projectRel = path.relative(process.cwd(), spec.project);
  for (const f of spec.missing) fail(`${projectRel}: included ${path.relative(process.cwd(), f)} does not exist`);
  const code = [...sources].filter(([f]) => f.startsWith(appDir + path.sep));
  const uses = (re) => code.filter(([, { src }]) => re.test(src)).map(([f]) => path.relative(process.cwd(), f));
  for (const need of PLIST_NEEDS) {
    const where = uses(need.uses);
    if (where.length === 0) continue;
    for (const key of need.keys) {
      res.checked += 1;
      if (!hasYamlKey(spec.text, key)) {
        fail(`${projectRel}: ${where[0]} uses ${need.what}, so the target needs ${key}`);
      }
    }
    for (const value of need.values || []) {
      res.checked += 1;
      if (!yamlValues(spec.text, 'UIBackgroundModes').includes(value)) {
        fail(`${projectRel}: ${where[0]} uses ${need.what}, so UIBackgroundModes needs ${value}`);
      }
    }
  }
  // The background task's identifier: `forTaskWithIdentifier: name` (a literal or a
  // `let name = "..."` in the same file) is permitted.
  const permitted = yamlValues(spec.text, 'BGTaskSchedulerPermittedIdentifiers');
  for (const [f, { src }] of code) {
    for (const m of src.matchAll(/forTaskWithIdentifier:\s*(?:"([^"]+)"|(\w+))/g)) {
      const constant = m[2] && src.match(new RegExp(`let\\s+${m[2]}\\s*=\\s*"([^"]+)"`));
      const id = m[1] || (constant && constant[1]);
      res.checked += 1;
      if (!id) {
        fail(`${path.relative(process.cwd(), f)}: the background task identifier ${m[2]} is not a literal here`);
      } else if (!permitted.includes(id)) {
        fail(`${projectRel}: BGTaskSchedulerPermittedIdentifiers lacks ${id} (${path.relative(process.cwd(), f)})`);
      }
    }
    // Info.plist keys the app reads.
    for (const m of src.matchAll(/forInfoDictionaryKey:\s*"([^"]+)"/g)) {
      res.checked += 1;
      if (!hasYamlKey(spec.text, m[1])) {
        fail(`${projectRel}: ${path.relative(process.cwd(), f)} reads Info.plist key ${m[1]}, which no target sets`);
      }
    }
  }
  // Every usage description in the spec is translated in every language's InfoPlist.strings.
  const usage = [...new Set([...spec.text.matchAll(/^\s*(NS\w+UsageDescription):/gm)].map((m) => m[1]))].sort();
  const langs = fs.existsSync(appDir) ? fs.readdirSync(appDir).filter((d) => d.endsWith('.lproj')).sort() : [];
  for (const l of langs) {
    const file = path.join(appDir, l, 'InfoPlist.strings');
    const keys = fs.existsSync(file) ? new Set(readStrings(fs.readFileSync(file, 'utf8')).entries.map(([k]) => k)) : new Set();
    for (const key of usage) {
      res.checked += 1;
      if (!keys.has(key)) fail(`${path.relative(process.cwd(), file)}: ${key} (in ${projectRel}) is not translated`);
    }
  }
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
