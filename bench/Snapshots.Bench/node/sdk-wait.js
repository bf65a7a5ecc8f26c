// Daytona's TypeScript SDK creating and waiting on the benchmark's snapshots, the way the SDK waits: each
// snapshot.create() polls GET /snapshots/{name} once a second until the snapshot is active, error or build_failed.
//
//   DAYTONA_API_URL=... DAYTONA_API_KEY=... node sdk-wait.js name1 name2 ...
//
// Prints one JSON line: {"startedMs", "settled": [{"name", "atMs", "state"}]} (times from the script's start).
'use strict';

const { Daytona } = require('@daytonaio/sdk');

async function main() {
  const daytona = new Daytona({ apiKey: process.env.DAYTONA_API_KEY, apiUrl: process.env.DAYTONA_API_URL });
  const names = process.argv.slice(2);
  const t0 = Date.now();
  const settled = await Promise.all(names.map(async (name) => {
    try {
      const snapshot = await daytona.snapshot.create({ name, image: 'python:3.12-slim' });
      return { name, atMs: Date.now() - t0, state: snapshot.state };
    } catch (error) {
      return { name, atMs: Date.now() - t0, state: 'failed', error: String(error && error.message ? error.message : error) };
    }
  }));
  console.log(JSON.stringify({ startedMs: 0, settled }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
