// Checks main.bicep as the Bicep compiler emitted it (ARM JSON from `bicep build`), so nothing here
// guesses at Bicep syntax:
//
//  1. app settings: the settings main.bicep gives each function app equal the lists in
//     infra/app-settings.json (the contract the code's configuration reads are tested against),
//     none is set twice, and the function-app module renders exactly its appSettings parameter.
//  2. Flex Consumption: each site runs `dotnet-isolated` 10.0 and carries none of the app settings
//     or site properties Flex rejects or ignores, and no FTP publishing-credentials policy.
//
// Usage: node check.mjs <compiled main.json> [repoRoot]      (exit code 1 on any failure)
// No dependencies: plain Node.js.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [compiledFile, rootArg] = process.argv.slice(2);
if (!compiledFile) {
  console.error('usage: node check.mjs <compiled main.json> [repoRoot]');
  process.exit(2);
}
const repoRoot = path.resolve(rootArg ?? path.join(here, '..', '..'));
const contractFile = path.join(repoRoot, 'infra', 'app-settings.json');

// The function-app module calls in main.bicep, by the project whose settings they carry.
const appModules = { 'Functions.Http': 'httpApp', 'Functions.Timers': 'timersApp' };
const runtime = { name: 'dotnet-isolated', version: '10.0' };

// App settings no app may have. Flex Consumption replaced most with functionAppConfig (runtime,
// scale, deployment) or has no use for them (no content share, no Kudu build): setting them fails
// or misleads.
const forbiddenSettings = [
  'FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_WORKER_RUNTIME_VERSION', 'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY', 'FUNCTIONS_WORKER_PROCESS_COUNT', 'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET', 'WEBSITE_SKIP_CONTENTSHARE_VALIDATION', 'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_NODE_DEFAULT_VERSION', 'WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED', 'WEBSITE_TIME_ZONE', 'TZ',
  'SCM_DO_BUILD_DURING_DEPLOYMENT', 'ENABLE_ORYX_BUILD', 'DEPLOYMENT_STORAGE_CONNECTION_STRING',
  // Ours: the connection-string form needs shared keys, which both accounts disable; the apps use
  // the identity-based AzureWebJobsStorage__* settings instead.
  'AzureWebJobsStorage',
];

// siteConfig properties Flex sites reject with ARM error 51021 on the stamps that validate them
// (the others ignore them, so a template can pass in one region and fail in the next).
// http20Enabled is on the list from our own deployment review.
const flexRejectedSiteConfig = [
  'ftpsState', 'http20Enabled', 'alwaysOn', 'linuxFxVersion', 'windowsFxVersion', 'use32BitWorkerProcess',
  'netFrameworkVersion', 'functionAppScaleLimit', 'preWarmedInstanceCount', 'functionsRuntimeScaleMonitoringEnabled',
];
const flexRejectedResourceTypes = [
  'Microsoft.Web/sites/basicPublishingCredentialsPolicies', // FTP / SCM basic-auth policies
  'Microsoft.Web/sites/config', // siteConfig by another door: it would bypass the checks above
];

const failures = [];
const fail = message => failures.push(message);

// ------------------------------------------------------------------ ARM JSON helpers

// languageVersion 2.0 templates keep resources in an object keyed by symbolic name; 1.0 in an array.
const resourcesOf = template =>
  Array.isArray(template.resources)
    ? template.resources.map(r => [r.name, r])
    : Object.entries(template.resources ?? {});

// Every resource of a template and of the templates nested in its deployments, with a path for messages.
function* allResources(template, where = 'main.bicep') {
  for (const [symbol, resource] of resourcesOf(template)) {
    yield [`${where} > ${symbol}`, resource];
    if (resource.type === 'Microsoft.Resources/deployments' && resource.properties?.template)
      yield* allResources(resource.properties.template, `${where} > ${symbol}`);
  }
}

const isExpression = value => typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[');

// ------------------------------------------------------------------ ARM expression reader
// Just enough of the ARM template expression language to read which setting names an expression
// such as union(createObject('A', x, 'B', y), createObject(...)) or shallowMerge(createArray(...))
// evaluates to. Values are never evaluated: only the names must be literal.

function parseExpression(text) {
  let i = 0;
  const error = message => new Error(`${message} at ${i} in ${JSON.stringify(text.slice(0, 80))}…`);
  const space = () => { while (/\s/.test(text[i] ?? '')) i++; };
  const expect = char => { space(); if (text[i] !== char) throw error(`expected '${char}'`); i++; };

  function primary() {
    space();
    if (text[i] === "'") {
      let value = '';
      for (i++; ; i++) {
        if (i >= text.length) throw error('unterminated string');
        if (text[i] === "'") { if (text[i + 1] === "'") { value += "'"; i++; continue; } i++; break; }
        value += text[i];
      }
      return { kind: 'string', value };
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number) { i += number[0].length; return { kind: 'literal', value: Number(number[0]) }; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!name) throw error('unexpected character');
    i += name[0].length;
    space();
    if (text[i] !== '(') return { kind: 'literal', value: name[0] }; // true, false, null
    i++;
    const args = [];
    space();
    if (text[i] === ')') i++;
    else for (;;) { args.push(expression()); space(); if (text[i] === ',') { i++; continue; } expect(')'); break; }
    return { kind: 'call', name: name[0], args };
  }

  function expression() {
    let node = primary();
    for (;;) {
      space();
      if (text[i] === '.') { i++; space(); const p = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)); if (!p) throw error('expected a property'); i += p[0].length; node = { kind: 'member', target: node, name: p[0] }; }
      else if (text[i] === '[') { i++; const index = expression(); expect(']'); node = { kind: 'index', target: node, index }; }
      else return node;
    }
  }

  const node = expression();
  space();
  if (i !== text.length) throw error('unexpected trailing text');
  return node;
}

// The setting names (in order, repeats kept) that a module parameter value evaluates to.
function settingNames(value) {
  if (isExpression(value)) return namesOf(parseExpression(value.slice(1, -1)));
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.keys(value);
  throw new Error(`not an object: ${JSON.stringify(value).slice(0, 80)}`);
}

function namesOf(node) {
  if (node.kind === 'call') {
    const name = node.name.toLowerCase();
    if (name === 'createobject') {
      if (node.args.length % 2) throw new Error('createObject with an odd number of arguments');
      return node.args.filter((_, k) => k % 2 === 0).map(key => {
        if (key.kind !== 'string') throw new Error('a setting name that is not a literal string');
        return key.value;
      });
    }
    if (name === 'union') return node.args.flatMap(namesOf);
    if (name === 'shallowmerge' && node.args.length === 1 && node.args[0].kind === 'call'
        && node.args[0].name.toLowerCase() === 'createarray')
      return node.args[0].args.flatMap(namesOf);
  }
  throw new Error(`cannot tell which settings ${node.kind === 'call' ? `${node.name}(…)` : 'this expression'} evaluates to`);
}

// ------------------------------------------------------------------ 1. app settings

const main = JSON.parse(fs.readFileSync(compiledFile, 'utf8'));
const contract = JSON.parse(fs.readFileSync(contractFile, 'utf8'));
const deployments = new Map(resourcesOf(main).filter(([, r]) => r.type === 'Microsoft.Resources/deployments'));

for (const [project, moduleName] of Object.entries(appModules)) {
  const expected = contract[project];
  if (!Array.isArray(expected)) { fail(`infra/app-settings.json: no list for ${project}`); continue; }
  if (new Set(expected).size !== expected.length) fail(`infra/app-settings.json: ${project}: duplicate names`);
  for (const name of expected.filter(n => forbiddenSettings.includes(n)))
    fail(`infra/app-settings.json: ${project}: ${name} must not be an app setting (Flex Consumption, identity-based storage)`);

  const module = deployments.get(moduleName);
  const passed = module?.properties?.parameters?.appSettings;
  if (!passed) { fail(`main.bicep: module ${moduleName} (${project}) passes no appSettings`); continue; }
  let actual;
  try { actual = settingNames(passed.value); } catch (e) { fail(`main.bicep: module ${moduleName} appSettings: ${e.message}`); continue; }

  for (const name of new Set(actual.filter((n, k) => actual.indexOf(n) !== k)))
    fail(`main.bicep: ${project}: app setting ${name} is set twice (the later value wins silently)`);
  for (const name of expected.filter(n => !actual.includes(n)))
    fail(`main.bicep: ${project}: app setting ${name} (read by the code) is missing from the template`);
  for (const name of actual.filter(n => !expected.includes(n)))
    fail(`main.bicep: ${project}: app setting ${name} is not in infra/app-settings.json`);
  for (const name of new Set(actual.filter(n => forbiddenSettings.includes(n))))
    fail(`main.bicep: ${project}: ${name} must not be an app setting (Flex Consumption, identity-based storage)`);
  console.log(`infra: ${project} app settings: ${new Set(actual).size} in the template, ${expected.length} in infra/app-settings.json`);
}

// ------------------------------------------------------------------ 2. Flex Consumption sites

let sites = 0;
const failuresBeforeSites = failures.length;
for (const [where, resource] of allResources(main)) {
  if (flexRejectedResourceTypes.includes(resource.type))
    fail(`${where}: ${resource.type} is not allowed on Flex Consumption sites (or bypasses the site checks)`);
  if (resource.type !== 'Microsoft.Web/sites') continue;
  sites++;
  const properties = resource.properties ?? {};

  const actualRuntime = properties.functionAppConfig?.runtime;
  if (actualRuntime?.name !== runtime.name || actualRuntime?.version !== runtime.version)
    fail(`${where}: functionAppConfig.runtime is ${JSON.stringify(actualRuntime)}, expected ${JSON.stringify(runtime)}`);

  const siteConfig = properties.siteConfig ?? {};
  for (const key of Object.keys(siteConfig).filter(k => flexRejectedSiteConfig.includes(k)))
    fail(`${where}: siteConfig.${key} is rejected on Flex Consumption sites`);

  // The site's settings are exactly the module's appSettings parameter: one copy loop over
  // items(parameters('appSettings')) and no literal list next to it.
  const loops = (siteConfig.copy ?? []).filter(c => c.name === 'appSettings');
  const rendersParameter = siteConfig.appSettings === undefined && loops.length === 1
    && /^\[length\(items\(parameters\('appSettings'\)\)\)\]$/.test(loops[0].count)
    && /^\[items\(parameters\('appSettings'\)\)\[copyIndex\('appSettings'\)\]\.key\]$/.test(loops[0].input?.name ?? '');
  if (!rendersParameter)
    fail(`${where}: siteConfig.appSettings must be exactly [for s in items(appSettings): ...] (no settings of its own)`);
}
if (sites !== Object.keys(appModules).length)
  fail(`main.bicep: expected ${Object.keys(appModules).length} function apps (Microsoft.Web/sites), found ${sites}`);
else if (failures.length === failuresBeforeSites) console.log(`infra: ${sites} Flex Consumption sites: runtime ${runtime.name} ${runtime.version}, no rejected settings or properties`);

// ------------------------------------------------------------------ result

if (failures.length) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.error(`infra: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log('infra: app settings and Flex checks passed');
