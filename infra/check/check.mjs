// Checks the Bicep templates without the Bicep compiler (which cannot be installed here):
//
//  1. syntax: every .bicep / .bicepparam file in the repository parses with the tree-sitter-bicep
//     grammar (no ERROR or MISSING node). The grammar has no rule for a .bicepparam assignment
//     (`param name = value`), so in .bicepparam files that keyword is read as `var` (same
//     columns) and the value expression is checked like any other.
//  2. wiring: each .bicepparam assigns only parameters its `using` template declares and every
//     required one; each local module call passes only parameters the module declares and every
//     required one.
//  3. app settings: the settings main.bicep gives each function app equal the lists in
//     infra/app-settings.json (the contract the code's configuration reads are tested against),
//     and modules/functionApp.bicep adds none of its own.
//
// Usage: node check.mjs [repoRoot]   (exit code 1 on any failure)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, Language } from 'web-tree-sitter';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const bicepDir = path.join(repoRoot, 'infra', 'bicep');

// The function-app module calls in main.bicep, by the project whose settings they carry.
const appModules = { 'Functions.Http': 'httpApp', 'Functions.Timers': 'timersApp' };

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const rel = file => path.relative(repoRoot, file);
const at = (file, node) => `${rel(file)}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;

await Parser.init();
const bicep = await Language.load(path.join(here, 'node_modules', 'tree-sitter-bicep', 'tree-sitter-bicep.wasm'));
const parser = new Parser();
parser.setLanguage(bicep);

const trees = new Map();
function parse(file) {
  if (!trees.has(file)) {
    let text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.bicepparam')) text = text.replace(/^([ \t]*)param(\s)/gm, '$1var  $2');
    trees.set(file, parser.parse(text));
  }
  return trees.get(file);
}

// ------------------------------------------------------------------ 1. syntax

function findBicepFiles(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'bin', 'obj', '.local', 'artifacts'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findBicepFiles(full, found);
    else if (/\.bicep(param)?$/.test(entry.name)) found.push(full);
  }
  return found.sort();
}

function syntaxErrors(file) {
  const errors = [];
  const visit = node => {
    if (node.isMissing) errors.push([node, `missing ${node.type}`]);
    else if (node.isError) errors.push([node, `syntax error near ${JSON.stringify(node.text.slice(0, 40))}`]);
    else if (node.hasError) for (const child of node.children) visit(child);
  };
  visit(parse(file).rootNode);
  return errors;
}

const files = findBicepFiles(repoRoot);
if (files.length === 0) fail(rel(bicepDir), 'no .bicep files found');
let syntaxFailed = 0;
for (const file of files) {
  const errors = syntaxErrors(file);
  if (errors.length) syntaxFailed++;
  for (const [node, message] of errors) fail(at(file, node), message);
}
console.log(`infra: syntax ${files.length - syntaxFailed}/${files.length} files parse`);

// ------------------------------------------------------------------ tree helpers

const named = node => node.namedChildren.filter(Boolean);
const stringValue = node => (node?.type === 'string' ? node.text.slice(1, -1) : null);
const keyOf = property => {
  const key = named(property)[0];
  return key.type === 'string' ? stringValue(key) : key.text;
};
const valueOf = property => named(property)[1];
const objectProperties = object => named(object).filter(n => n.type === 'object_property');
const propertyOf = (object, name) => objectProperties(object).find(p => keyOf(p) === name);

function statements(file, type) {
  return named(parse(file).rootNode).filter(n => n.type === type);
}

function declaredParameters(file) {
  return new Map(statements(file, 'parameter_declaration').map(p => {
    const [name, , value] = named(p);
    return [name.text, { hasDefault: value !== undefined }];
  }));
}

// The object a module/resource body evaluates to (`= {...}`, `= if (...) {...}`).
function bodyObject(declaration) {
  const body = named(declaration).at(-1);
  if (body.type === 'object') return body;
  if (body.type === 'if_statement') return named(body).find(n => n.type === 'object');
  return null; // for-loops: not used for modules here
}

// ------------------------------------------------------------------ 2. wiring

for (const file of files.filter(f => f.endsWith('.bicepparam'))) {
  const using = statements(file, 'using_statement')[0];
  if (!using) { fail(rel(file), 'no using statement'); continue; }
  const template = path.resolve(path.dirname(file), stringValue(named(using)[0]));
  if (!fs.existsSync(template)) { fail(at(file, using), `template ${rel(template)} not found`); continue; }
  const declared = declaredParameters(template);
  const assigned = new Set();
  for (const assignment of statements(file, 'variable_declaration')) {
    const name = named(assignment)[0].text;
    assigned.add(name);
    if (!declared.has(name)) fail(at(file, assignment), `param ${name} is not declared in ${rel(template)}`);
  }
  for (const [name, { hasDefault }] of declared)
    if (!hasDefault && !assigned.has(name)) fail(rel(file), `required param ${name} of ${rel(template)} is not assigned`);
}

for (const file of files.filter(f => f.endsWith('.bicep'))) {
  for (const module of statements(file, 'module_declaration')) {
    const [name, source] = named(module);
    const target = path.resolve(path.dirname(file), stringValue(source));
    if (!fs.existsSync(target)) { fail(at(file, module), `module ${name.text}: ${rel(target)} not found`); continue; }
    const declared = declaredParameters(target);
    const params = propertyOf(bodyObject(module), 'params');
    const passed = new Set();
    for (const property of params ? objectProperties(valueOf(params)) : []) {
      passed.add(keyOf(property));
      if (!declared.has(keyOf(property)))
        fail(at(file, property), `module ${name.text}: ${rel(target)} has no param ${keyOf(property)}`);
    }
    for (const [param, { hasDefault }] of declared)
      if (!hasDefault && !passed.has(param)) fail(at(file, module), `module ${name.text}: required param ${param} not passed`);
  }
}

// ------------------------------------------------------------------ 3. app settings

const mainFile = path.join(bicepDir, 'main.bicep');
const variables = new Map(statements(mainFile, 'variable_declaration').map(v => [named(v)[0].text, named(v)[1]]));

// Setting names an expression evaluates to: object literals, union(...) of them, and variables.
function settingNames(expression, seen = new Set()) {
  switch (expression.type) {
    case 'object':
      return objectProperties(expression).map(keyOf);
    case 'identifier': {
      const value = variables.get(expression.text);
      if (!value || seen.has(expression.text)) throw new Error(`cannot resolve ${expression.text}`);
      return settingNames(value, new Set([...seen, expression.text]));
    }
    case 'call_expression': {
      const [fn, args] = named(expression);
      if (fn.text !== 'union') throw new Error(`cannot evaluate ${fn.text}(...)`);
      return named(args).flatMap(arg => settingNames(arg, seen));
    }
    case 'parenthesized_expression':
      return settingNames(named(expression)[0], seen);
    default:
      throw new Error(`cannot evaluate ${expression.type} ${JSON.stringify(expression.text.slice(0, 40))}`);
  }
}

const contractFile = path.join(repoRoot, 'infra', 'app-settings.json');
const contract = JSON.parse(fs.readFileSync(contractFile, 'utf8'));
const modules = new Map(statements(mainFile, 'module_declaration').map(m => [named(m)[0].text, m]));
for (const [project, moduleName] of Object.entries(appModules)) {
  const expected = contract[project];
  if (!Array.isArray(expected)) { fail(rel(contractFile), `no list for ${project}`); continue; }
  const module = modules.get(moduleName);
  const paramsProperty = module && propertyOf(bodyObject(module), 'params');
  const settings = paramsProperty && propertyOf(valueOf(paramsProperty), 'appSettings');
  if (!settings) { fail(rel(mainFile), `module ${moduleName} (${project}) passes no appSettings`); continue; }
  let actual;
  try { actual = settingNames(valueOf(settings)); } catch (e) { fail(at(mainFile, settings), e.message); continue; }
  for (const name of new Set(actual.filter((n, i) => actual.indexOf(n) !== i)))
    fail(at(mainFile, settings), `${project}: app setting ${name} is set twice`);
  for (const name of expected.filter(n => !actual.includes(n)))
    fail(at(mainFile, settings), `${project}: app setting ${name} (read by the code) is missing from the template`);
  for (const name of actual.filter(n => !expected.includes(n)))
    fail(at(mainFile, settings), `${project}: app setting ${name} is not in infra/app-settings.json`);
  if (new Set(expected).size !== expected.length) fail(rel(contractFile), `${project}: duplicate names`);
  console.log(`infra: ${project} app settings ${actual.length} in template, ${expected.length} in infra/app-settings.json`);
}

// The module must render exactly its appSettings parameter: one for-expression over items(appSettings).
const appModuleFile = path.join(bicepDir, 'modules', 'functionApp.bicep');
const renderedSettings = [];
const findAppSettings = node => {
  if (node.type === 'object_property' && keyOf(node) === 'appSettings') renderedSettings.push(node);
  for (const child of named(node)) findAppSettings(child);
};
findAppSettings(parse(appModuleFile).rootNode);
const rendersOnlyParameter = renderedSettings.length === 1
  && valueOf(renderedSettings[0]).type === 'for_statement'
  && /^\[\s*for\s+\w+\s+in\s+items\(appSettings\)\s*:/.test(valueOf(renderedSettings[0]).text);
if (!rendersOnlyParameter)
  fail(rel(appModuleFile), 'siteConfig.appSettings must be exactly [for s in items(appSettings): ...] (no settings of its own)');

// ------------------------------------------------------------------ result

if (failures.length) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.error(`infra: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log('infra: all checks passed');
