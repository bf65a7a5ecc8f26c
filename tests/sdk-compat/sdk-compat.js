// Daytona's own TypeScript SDK (@daytonaio/sdk, unchanged) against the local emulator: issue 4 item 5.
//
//   DAYTONA_API_URL=http://127.0.0.1:N/api DAYTONA_API_KEY=... node sdk-compat.js
//
// Lists, creates from an image name and waits with the SDK's own create wait, makes the snapshot inactive
// through the emulator's control API, activates it, and deletes it - all through the SDK. Then builds an image
// through the SDK's Image.debianSlim(...).addLocalFile(...) upload path (push access + S3 upload + buildInfo),
// checks an identical second build is active at once without a second upload, and that failures surface with
// the server's reason. Also sends a context over 5 MiB, which the SDK uploads by multipart. Prints one JSON line per step and exits 0 when every step passed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { Daytona, Image } = require('@daytonaio/sdk');

const apiUrl = process.env.DAYTONA_API_URL;
const apiKey = process.env.DAYTONA_API_KEY;
if (!apiUrl || !apiKey) {
  console.error('Set DAYTONA_API_URL and DAYTONA_API_KEY (the emulator\'s).');
  process.exit(2);
}
const controlUrl = new URL('/_emulator/', apiUrl).toString();
const suffix = Date.now().toString(36);
// The emulator's TimeScale (EMULATOR_TIME_SCALE, default 1), to ask for a build of a given real length.
const timeScale = Number(process.env.EMULATOR_TIME_SCALE || '1') || 1;
const steps = [];

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function control(method, relative, body) {
  const response = await fetch(new URL(relative, controlUrl), {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  check(response.ok, `control ${method} ${relative}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    steps.push({ step: name, ok: true, ms: Date.now() - started, detail });
    console.log(JSON.stringify(steps[steps.length - 1]));
  } catch (error) {
    steps.push({ step: name, ok: false, ms: Date.now() - started, error: String(error && error.message ? error.message : error) });
    console.log(JSON.stringify(steps[steps.length - 1]));
    throw error;
  }
}

async function waitFor(daytona, name, states, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await daytona.snapshot.get(name);
    if (states.includes(snapshot.state)) {
      return snapshot;
    }
    check(Date.now() < deadline, `${name} stayed ${snapshot.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const daytona = new Daytona({ apiKey, apiUrl });
  const imageName = `sdk-image-${suffix}`;

  await step('list', async () => {
    const page = await daytona.snapshot.list(1, 10);
    check(Array.isArray(page.items), 'items is not an array');
    for (const key of ['total', 'page', 'totalPages']) {
      check(typeof page[key] === 'number', `${key} is not a number`);
    }
    return { total: page.total, page: page.page, totalPages: page.totalPages };
  });

  let created;
  await step('create from an image name, waiting with the SDK', async () => {
    const logs = [];
    created = await daytona.snapshot.create(
      { name: imageName, image: 'python:3.12-slim', resources: { cpu: 2, memory: 4, disk: 8 } },
      { onLogs: (line) => logs.push(line) },
    );
    check(created.state === 'active', `state ${created.state}`);
    check(created.cpu === 2 && created.mem === 4 && created.disk === 8, 'resources not kept (memory must come back as mem)');
    check(logs.includes(`Created snapshot ${imageName} (active)`), 'no "Created snapshot" log line: ' + JSON.stringify(logs));
    return { id: created.id, state: created.state, logs };
  });

  await step('list finds it by paging', async () => {
    const page = await daytona.snapshot.list(1, 200);
    check(page.items.some((s) => s.id === created.id), 'not listed');
    return { total: page.total };
  });

  await step('deactivate (control API, as the 14-day cron) then activate through the SDK', async () => {
    await control('POST', `snapshots/${encodeURIComponent(imageName)}/deactivate-unused`);
    const inactive = await daytona.snapshot.get(imageName);
    check(inactive.state === 'inactive', `after deactivate-unused: ${inactive.state}`);
    const activated = await daytona.snapshot.activate(inactive);
    check(activated.state === 'pending', `activate answered ${activated.state}`);
    const active = await waitFor(daytona, imageName, ['active', 'error']);
    check(active.state === 'active', `after activate: ${active.state}`);
    return { states: ['inactive', activated.state, active.state] };
  });

  await step('activating an active snapshot fails with the server message', async () => {
    try {
      await daytona.snapshot.activate(created);
    } catch (error) {
      check(/is already active/.test(error.message), error.message);
      return { message: error.message };
    }
    throw new Error('activate of an active snapshot succeeded');
  });

  await step('a failing image ends in error, and the SDK throws its reason', async () => {
    try {
      await daytona.snapshot.create({ name: `sdk-fail-${suffix}`, image: 'registry.example/fail-image:1.0' });
    } catch (error) {
      check(/Failed to create snapshot/.test(error.message) && /manifest/.test(error.message), error.message);
      return { message: error.message };
    }
    throw new Error('a failing image became active');
  });

  await step('delete through the SDK: removing, then gone', async () => {
    await daytona.snapshot.delete(created);
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const s = await daytona.snapshot.get(imageName);
        check(s.state === 'removing', `after delete: ${s.state}`);
      } catch (error) {
        check(/not found/i.test(error.message), error.message);
        return { message: error.message };
      }
      check(Date.now() < deadline, 'still there');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  if (process.env.SDK_COMPAT_SKIP_BUILD === '1') {
    return;
  }

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-compat-'));
  const appFile = path.join(folder, 'app.py');
  fs.writeFileSync(appFile, `print("hello from ${suffix}")\n`);
  const image = Image.debianSlim('3.12').pipInstall(['numpy']).addLocalFile(appFile, '/app/app.py').entrypoint(['python', '/app/app.py']);

  await step('build an image through the SDK upload path (push access, S3, buildInfo) with streamed logs', async () => {
    await control('PUT', 'builds', { byName: { [`sdk-build-${suffix}`]: { durationMs: Math.round(2500 / timeScale) } } });
    const logs = [];
    const built = await daytona.snapshot.create({ name: `sdk-build-${suffix}`, image }, { onLogs: (line) => logs.push(line) });
    check(built.state === 'active', `state ${built.state}`);
    check(built.buildInfo && built.buildInfo.contextHashes.length === 1, 'no context hash in buildInfo');
    check(JSON.stringify(built.entrypoint) === JSON.stringify(['python', '/app/app.py']), 'entrypoint ' + JSON.stringify(built.entrypoint));
    check(logs.some((l) => /^Step 1\/\d+ : FROM python:3\.12/.test(l)), 'no streamed build log: ' + JSON.stringify(logs));
    check(logs.some((l) => /Successfully tagged/.test(l)), 'the log has no end: ' + JSON.stringify(logs));
    const requests = await control('GET', 'requests');
    const uploads = Object.entries(requests.byRoute).filter(([route]) => route.startsWith('PUT /s3/')).reduce((n, [, c]) => n + c, 0)
      + Object.entries(requests.byRoute).filter(([route]) => route.startsWith('POST /s3/')).reduce((n, [, c]) => n + c, 0);
    check(uploads >= 1, 'nothing was uploaded: ' + JSON.stringify(requests.byRoute));
    return { contextHashes: built.buildInfo.contextHashes, snapshotRef: built.buildInfo.snapshotRef, uploads, logs };
  });

  await step('the same image again: no upload, active at once', async () => {
    await control('POST', 'requests/reset');
    const again = await daytona.snapshot.create({ name: `sdk-build-again-${suffix}`, image });
    check(again.state === 'active', `state ${again.state}`);
    const requests = await control('GET', 'requests');
    const writes = Object.keys(requests.byRoute).filter((route) => /^(PUT|POST) \/s3\//.test(route));
    check(writes.length === 0, 'uploaded again: ' + JSON.stringify(requests.byRoute));
    check((requests.byRoute['GET /api/snapshots/{id}'] || 0) === 0, 'the SDK had to poll: ' + JSON.stringify(requests.byRoute));
    return { byRoute: requests.byRoute };
  });

  await step('a context over 5 MiB goes up by multipart upload (CreateMultipartUpload, UploadPart, Complete)', async () => {
    const big = path.join(folder, 'model.bin');
    fs.writeFileSync(big, require('crypto').randomBytes(6 * 1024 * 1024));
    await control('POST', 'requests/reset');
    const withBig = Image.debianSlim('3.12').addLocalFile(big, '/app/model.bin');
    const built = await daytona.snapshot.create({ name: `sdk-build-big-${suffix}`, image: withBig });
    check(built.state === 'active', `state ${built.state}`);
    const requests = await control('GET', 'requests');
    const posts = requests.byRoute['POST /s3/{bucket}/{**key}'] || 0;
    const puts = requests.byRoute['PUT /s3/{bucket}/{**key}'] || 0;
    check(posts >= 2 && puts >= 2, 'not a multipart upload: ' + JSON.stringify(requests.byRoute));
    const objects = await control('GET', 'objects');
    const key = Object.keys(objects).find((k) => k.endsWith(`/${built.buildInfo.contextHashes[0]}/context.tar`));
    check(key && objects[key] > 6 * 1024 * 1024, 'the joined object is not the whole tar: ' + JSON.stringify(objects));
    return { byRoute: requests.byRoute, key, size: objects[key] };
  });

  await step('a Dockerfile marked "# emulator: fail" ends build_failed with the reason and the log tail', async () => {
    const failing = Image.debianSlim('3.12').runCommands('echo building').dockerfileCommands(['# emulator: fail']);
    const name = `sdk-build-fail-${suffix}`;
    // Long enough (about 2.5 s of real time) for the SDK's 1 s poll to see "building" and follow the log.
    await control('PUT', 'builds', { byName: { [name]: { durationMs: Math.round(2500 / timeScale) } } });
    const logs = [];
    try {
      await daytona.snapshot.create({ name, image: failing }, { onLogs: (line) => logs.push(line) });
    } catch (error) {
      check(/Failed to create snapshot/.test(error.message) && /non-zero code/.test(error.message), error.message);
      check(logs.some((l) => /non-zero code/.test(l)), 'the streamed log has no failure: ' + JSON.stringify(logs));
      return { message: error.message };
    }
    throw new Error('a build marked to fail became active');
  });
}

main()
  .then(() => {
    console.log(JSON.stringify({ summary: 'passed', steps: steps.length }));
    process.exit(0);
  })
  .catch((error) => {
    console.error(error && error.stack ? error.stack : String(error));
    console.log(JSON.stringify({ summary: 'failed', steps: steps.length }));
    process.exit(1);
  });
