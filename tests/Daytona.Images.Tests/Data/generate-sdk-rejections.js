// Generates sdk-rejection-cases.json with Daytona's TypeScript SDK: one case (or more) for each argument check of the
// SDK's Image class (every `throw new Daytona…Error` in @daytonaio/sdk's Image.js), with the error type and message
// the SDK gives. `check` is the check's message template as written in Image.js; SdkRejectionTests fails when Image.js
// has a check no case covers. The fixture is the shared corpus's, plus sdk-extra-cases.json's, plus `fixture` below;
// "<fixture>" in a message stands for the fixture folder (the SDK names resolved paths).
// Usage (from the repository root, after `npm ci --prefix tests/sdk-compat`):
//   NODE_PATH=tests/sdk-compat/node_modules node tests/Daytona.Images.Tests/Data/generate-sdk-rejections.js
const { Image } = require('@daytonaio/sdk');
const sdkFolder = require('path').dirname(require.resolve('@daytonaio/sdk'));
const fs = require('fs'); const path = require('path');
const src = JSON.parse(fs.readFileSync(path.resolve('../shared/conformance/images/cases.json')));
const extra = JSON.parse(fs.readFileSync(path.resolve('tests/Daytona.Images.Tests/Data/sdk-extra-cases.json')));
const outFile = path.resolve('tests/Daytona.Images.Tests/Data/sdk-rejection-cases.json');
const fx = fs.realpathSync(fs.mkdtempSync(path.join(require('os').tmpdir(), 'sdk-rejections-')));
for (const [k, v] of Object.entries(src.fixture)) { fs.mkdirSync(path.dirname(path.join(fx, k)), { recursive: true }); fs.writeFileSync(path.join(fx, k), Buffer.from(v, 'base64')); }
for (const d of src.emptyDirs) fs.mkdirSync(path.join(fx, d), { recursive: true });
for (const [k, v] of Object.entries(extra.fixture)) { fs.mkdirSync(path.dirname(path.join(fx, k)), { recursive: true }); fs.writeFileSync(path.join(fx, k), v); }
for (const d of extra.emptyDirs) fs.mkdirSync(path.join(fx, d), { recursive: true });
for (const [l, t] of Object.entries(extra.symlinks)) fs.symlinkSync(t, path.join(fx, l));
const fixture = { 'bad.toml': '[project\nname = "x"\n' };
const symlinks = { 'ctx/outside-link': '../app.py', 'ctx/dangling-link': 'nowhere' };
for (const [k, v] of Object.entries(fixture)) fs.writeFileSync(path.join(fx, k), v);
for (const [l, t] of Object.entries(symlinks)) fs.symlinkSync(t, path.join(fx, l));

const cases = [
  ['requirements-missing', [['base', 'alpine'], ['pipInstallFromRequirements', 'nope.txt']]],
  ['requirements-is-folder', [['base', 'alpine'], ['pipInstallFromRequirements', 'src']]],
  ['pyproject-missing', [['base', 'alpine'], ['pipInstallFromPyproject', 'nope.toml']]],
  ['pyproject-is-folder', [['base', 'alpine'], ['pipInstallFromPyproject', 'src']]],
  ['pyproject-invalid-toml', [['base', 'alpine'], ['pipInstallFromPyproject', 'bad.toml']]],
  ['pyproject-no-dependencies', [['base', 'alpine'], ['pipInstallFromPyproject', 'pyproject-nodeps.toml']]],
  ['pyproject-optional-not-a-mapping', [['base', 'alpine'], ['pipInstallFromPyproject', 'pyproject-badopt.toml', { optionalDependencies: ['x'] }]]],
  ['file-missing', [['base', 'alpine'], ['addLocalFile', 'nope.txt', '/app/nope.txt']]],
  ['file-is-folder', [['base', 'alpine'], ['addLocalFile', 'src', '/app/']]],
  ['folder-missing', [['base', 'alpine'], ['addLocalDir', 'nope', '/app']]],
  ['folder-is-file', [['base', 'alpine'], ['addLocalDir', 'app.py', '/app']]],
  ['env-not-a-string', [['base', 'alpine'], ['env', { A: 'a', B: 1, C: true }]]],
  ['entrypoint-not-strings', [['base', 'alpine'], ['entrypoint', ['a', 1]]]],
  ['cmd-not-strings', [['base', 'alpine'], ['cmd', ['a', null]]]],
  ['strict-context-without-context', [['base', 'alpine'], ['dockerfileCommands', ['COPY app.py /a'], undefined, { strictContext: true }]]],
  ['context-missing', [['base', 'alpine'], ['dockerfileCommands', ['RUN x'], 'nope']]],
  ['context-is-file', [['base', 'alpine'], ['dockerfileCommands', ['RUN x'], 'app.py']]],
  ['dockerfile-missing', [['fromDockerfile', 'docker/nope']]],
  ['dockerfile-is-folder', [['fromDockerfile', 'docker']]],
  ['pip-packages-not-strings', [['base', 'alpine'], ['pipInstall', ['numpy', 3]]]],
  ['python-too-old', [['debianSlim', '3.8']]],
  ['python-unknown', [['debianSlim', '4.0']]],
  ['python-not-a-version', [['debianSlim', 'latest']]],
  ['strict-source-climbs-out', [['base', 'alpine'], ['dockerfileCommands', ['COPY ../app.py /a'], 'ctx', { strictContext: true }]]],
  ['strict-source-absolute', [['base', 'alpine'], ['dockerfileCommands', ['COPY /etc/hostname /a'], 'ctx', { strictContext: true }]]],
  ['strict-source-drive', [['base', 'alpine'], ['dockerfileCommands', ['COPY C:/x /a'], 'ctx', { strictContext: true }]]],
  ['strict-link-leaves-context', [['base', 'alpine'], ['dockerfileCommands', ['COPY outside-link /a'], 'ctx', { strictContext: true }]]],
  ['strict-dangling-link', [['base', 'alpine'], ['dockerfileCommands', ['COPY dangling-link /a'], 'ctx', { strictContext: true }]]],
];
process.chdir(fx);
const out = [];
for (const [id, ops] of cases) {
  const c = { id, ops };
  try {
    let img; for (const [m, ...args] of ops) img = img ? img[m](...args) : Image[m](...args);
    c.accepted = img.dockerfile;
  } catch (e) { c.error = { type: e.constructor.name, message: e.message.split(fx).join('<fixture>') }; }
  out.push(c);
}
const imageJs = fs.readFileSync(path.join(sdkFolder, 'Image.js'), 'utf8');
const checks = [...imageJs.matchAll(/throw new (?:\w+\.)?(Daytona\w*Error)\(([`'])([^`']*)\2/g)].map(m => m[3].replace(/\$\{[^}]*\}/g, '${}'));
const doc = { oracle: src.oracle, sdkChecks: [...new Set(checks)], note: 'fixture = the shared corpus fixture + sdk-extra-cases.json + these', fixture, symlinks, cases: out };
fs.writeFileSync(outFile, JSON.stringify(doc, null, 1) + '\n');
fs.rmSync(fx, { recursive: true, force: true });
for (const c of out) console.log(c.id, c.error ? `${c.error.type}: ${c.error.message}` : 'ACCEPTED');
console.log('checks in Image.js:', doc.sdkChecks.length);
