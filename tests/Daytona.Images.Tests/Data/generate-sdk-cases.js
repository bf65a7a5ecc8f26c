// Generates sdk-extra-cases.json with Daytona's TypeScript SDK: more image definitions than the shared corpus covers
// (exec-form RUN, quoting, env key order, globs and flags in COPY, context folders, strict context, pyproject groups,
// folder hash order, empty folders, symbolic links). The fixture is the shared corpus's fixture plus `fixture` below.
// Usage (from the repository root, with the SDK installed somewhere):
//   npm install @daytonaio/sdk@0.218.0 --prefix /tmp/sdk && NODE_PATH=/tmp/sdk/node_modules node tests/Daytona.Images.Tests/Data/generate-sdk-cases.js
const { Image } = require('@daytonaio/sdk');
const { ObjectStorage } = require(require('path').join(require('path').dirname(require.resolve('@daytonaio/sdk')), 'ObjectStorage.js'));
const fs = require('fs'); const path = require('path');
const src = JSON.parse(fs.readFileSync(path.resolve('../shared/conformance/images/cases.json')));
const fx = path.join(require('os').tmpdir(), 'sdk-extra-fixture');
const outFile = path.resolve('tests/Daytona.Images.Tests/Data/sdk-extra-cases.json');
fs.rmSync(fx, {recursive:true, force:true});
for (const [k,v] of Object.entries(src.fixture)) { fs.mkdirSync(path.dirname(path.join(fx,k)),{recursive:true}); fs.writeFileSync(path.join(fx,k), Buffer.from(v,'base64')); }
for (const d of src.emptyDirs) fs.mkdirSync(path.join(fx,d),{recursive:true});
// extra fixture files
const extraFiles = {
 'docker/Dockerfile.glob': 'FROM x\nCOPY "src/*.py" /a/\nCOPY ["app.py", "src/b", "/b/"]\nCOPY *.py /c/\nCOPY --from=builder /x /y\n# COPY nope /z\nCOPY \\\n  app.py \\\n  # comment\n  /d/\nCOPY "src/**" /e/\nCOPY a$HOME b /f/\nCOPY <<EOF /g\nhi\nEOF\n',
 'docker/Dockerfile.weird': 'from ubuntu\ncopy --chmod=644 --link app.py /w/\nCOPY app.py#frag /x\nCOPY "sp ace.txt" /y\n',
 'docker/sp ace.txt': 'sp',
 'ctx/one.txt': '1', 'ctx/sub/two.txt': '2', 'ctx/sub/deeper/three.py': '3',
 'pyproject-opt.toml': '[project]\nname="x"\ndependencies = [\n  "a>=1", # c\n  \'b\',\n]\n[project.optional-dependencies]\ndev = ["pytest"]\ndocs = ["mkdocs", "z<2"]\n',
 'pyproject-nodeps.toml': '[project]\nname="x"\n',
 'pyproject-badopt.toml': '[project]\ndependencies=["a"]\noptional-dependencies=["x"]\n',
 'dir with space/f.txt': 'x',
 'Zeta/a': 'a', 'alpha/B': 'b', 'alpha/a': 'a', 'alpha/_': 'u', 'alpha/Ä': 'ae',
};
for (const [k,v] of Object.entries(extraFiles)) { fs.mkdirSync(path.dirname(path.join(fx,k)),{recursive:true}); fs.writeFileSync(path.join(fx,k), v); }
const extraEmptyDirs = ['alpha/empty/nested'];
const symlinks = { 'alpha/link': '/etc/hostname' };
for (const d of extraEmptyDirs) fs.mkdirSync(path.join(fx,d),{recursive:true});
for (const [l,t] of Object.entries(symlinks)) fs.symlinkSync(t, path.join(fx,l));
const cases = [
 ['exec-run', [['debianSlim','3.11'],['runCommands','echo "a"',['bash','-c','echo "hi" it\'s'],['x']]]],
 ['quote-env', [['base','alpine'],['env',{'2':'two','B':'b c','1':'one','E':'','D':'a"b','F':"it's!",'G':'x$y','H':'a\\b','I':'~home','J':'C:\\x','K':'#hash'}]]],
 ['workdir-quote', [['base','alpine'],['workdir','/my dir'],['workdir','/a:b']]],
 ['pip-weird', [['base','alpine'],['pipInstall',['b','A','a','Z[x]>=1', "c'd"],{findLinks:['a b','c'],pre:false,extraOptions:'  --x  '}]]],
 ['pip-nested', [['base','alpine'],['pipInstall',[['x',['y']],'w']]]],
 ['pyproject-opt', [['base','alpine'],['pipInstallFromPyproject','pyproject-opt.toml',{optionalDependencies:['docs','nope','dev'], indexUrl:'https://i/'}]]],
 ['pyproject-nodeps', [['base','alpine'],['pipInstallFromPyproject','pyproject-nodeps.toml']]],
 ['pyproject-badopt', [['base','alpine'],['pipInstallFromPyproject','pyproject-badopt.toml',{optionalDependencies:['x']}]]],
 ['pyproject-missing', [['base','alpine'],['pipInstallFromPyproject','nope.toml']]],
 ['pyproject-dir', [['base','alpine'],['pipInstallFromPyproject','src']]],
 ['req-dir', [['base','alpine'],['pipInstallFromRequirements','src']]],
 ['req-opts', [['base','alpine'],['pipInstallFromRequirements','requirements.txt',{indexUrl:'https://x/y',pre:true}]]],
 ['file-trailing-slash', [['base','alpine'],['addLocalFile','src/pkg/core.py','/app/']]],
 ['file-is-dir', [['base','alpine'],['addLocalFile','src','/app/']]],
 ['dir-missing', [['base','alpine'],['addLocalDir','nope','/app/']]],
 ['dir-sorted', [['base','alpine'],['addLocalDir','alpha','/alpha'],['addLocalDir','./Zeta/','/z'],['addLocalDir','dir with space','/s']]],
 ['dir-root-empty', [['base','alpine'],['addLocalDir','src/empty','/e']]],
 ['glob-dockerfile', [['fromDockerfile','docker/Dockerfile.glob']]],
 ['weird-dockerfile', [['fromDockerfile','docker/Dockerfile.weird']]],
 ['df-missing', [['fromDockerfile','docker/nope']]],
 ['df-dir', [['fromDockerfile','docker']]],
 ['dfc-ctx', [['base','alpine'],['dockerfileCommands',['COPY one.txt /o','COPY sub /s','RUN x','COPY ["sub/deeper/three.py","nope.txt","/t/"]','COPY . /all'],'ctx']]],
 ['dfc-noctx', [['base','alpine'],['dockerfileCommands',['COPY app.py /a','COPY src /b']]]],
 ['dfc-strict-noctx', [['base','alpine'],['dockerfileCommands',['COPY app.py /a'],undefined,{strictContext:true}]]],
 ['dfc-strict', [['base','alpine'],['dockerfileCommands',['COPY one.txt /a','COPY sub/two.txt /b'],'ctx',{strictContext:true}]]],
 ['dfc-strict-escape', [['base','alpine'],['dockerfileCommands',['COPY ../app.py /a'],'ctx',{strictContext:true}]]],
 ['dfc-ctx-missing', [['base','alpine'],['dockerfileCommands',['RUN x'],'nope']]],
 ['dfc-ctx-file', [['base','alpine'],['dockerfileCommands',['RUN x'],'app.py']]],
 ['py310', [['debianSlim','3.10']]],
 ['py-bad', [['debianSlim','2']]],
 ['entry-cmd', [['base','alpine'],['entrypoint',['a "b"','c']],['cmd',[]]]],
 ['binary', [['base','alpine'],['addLocalFile','binary.bin','/b.bin']]],
];
process.chdir(fx);
const os = new ObjectStorage({endpointUrl:'http://127.0.0.1:1', accessKeyId:'a', secretAccessKey:'b', region:'us-east-1'});
(async () => {
 const out = [];
 for (const [id, ops] of cases) {
  let img; const c = {id, ops};
  try {
   for (const [m, ...args] of ops) img = img ? img[m](...args) : Image[m](...args);
   c.dockerfile = img.dockerfile; c.context = [];
   for (const x of img.contextList) {
     let md5; try { md5 = await os.computeHashForPathMd5(x.sourcePath, x.archivePath); } catch (e) { md5 = 'ERR ' + e.message; }
     c.context.push({sourcePath: path.isAbsolute(x.sourcePath) ? path.relative(fx, x.sourcePath) : x.sourcePath.replace(/\/$/,''), archivePath: x.archivePath, md5});
   }
  } catch (e) { c.error = {type: e.constructor.name, message: e.message}; }
  out.push(c);
 }
 const doc = { oracle: src.oracle, note: 'fixture = the shared corpus fixture plus these files, folders and links', fixture: extraFiles, emptyDirs: extraEmptyDirs, symlinks, cases: out };
 fs.writeFileSync(outFile, JSON.stringify(doc, null, 1) + '\n');
 fs.rmSync(fx, {recursive:true, force:true});
 for (const c of out) console.log(c.id, c.error ? 'ERR ' + c.error.message : JSON.stringify(c.context));
})();
