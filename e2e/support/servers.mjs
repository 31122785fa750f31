// @ts-check
/**
 * Starts the server a browser test runs against, chosen by E2E_TARGET:
 *   jsonserver  json-server 1.0.0-beta.3 on a copy of e2e/fixtures/db.json, serving dist/
 *               on the same origin (its --static option), not watching db.json
 *   api         our FastAPI back end on a fresh embedded PostgreSQL, serving dist/ at /
 * Both need the front end built into dist/ with an empty VITE_API_BASE_URL (`npm run e2e`
 * does that first).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');

/** @typedef {{ baseUrl: string, stop: () => Promise<void> }} RunningServer */

/** @returns {'jsonserver' | 'api'} */
export function target() {
  const value = process.env.E2E_TARGET ?? 'jsonserver';
  if (value !== 'jsonserver' && value !== 'api') {
    throw new Error(`E2E_TARGET must be "jsonserver" or "api", got "${value}"`);
  }
  return value;
}

/** A port the OS says is free right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Polls `url` until it answers 200, the child dies, or `seconds` pass.
 * @param {string} url
 * @param {import('node:child_process').ChildProcess} child
 * @param {() => string} output
 * @param {number} seconds
 */
async function waitUntilUp(url, child, output, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${url} answered:\n${output()}`);
    }
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  throw new Error(`${url} did not answer 200 within ${seconds} s:\n${output()}`);
}

/**
 * Starts a child in its own process group, keeping the last lines of its output for errors.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
function startChild(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {string[]} */
  const lines = [];
  const keep = (/** @type {Buffer} */ chunk) => {
    lines.push(...chunk.toString().split('\n'));
    lines.splice(0, Math.max(0, lines.length - 60));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => lines.join('\n') };
}

/**
 * Asks the child to stop with `signal`; kills its process group if it lingers.
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
async function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((done) => (timer = setTimeout(() => done('timeout'), 20_000)));
  const outcome = await Promise.race([exited, timeout]);
  clearTimeout(timer); // a pending timer would keep the test process alive
  if (outcome === 'timeout') {
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
}

/**
 * Stops a PostgreSQL still running on `dataDir` (fast shutdown), so a run leaves nothing behind.
 * @param {string} dataDir
 */
async function stopPostgresIn(dataDir) {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 100 && alive(); waited++) {
    await new Promise((wait) => setTimeout(wait, 100));
  }
}

function requireDist() {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the front end first (npm run e2e does).');
  }
}

/**
 * The started server once `path` answers; stopped (and its files removed) if it never does.
 * @param {string} baseUrl
 * @param {string} path
 * @param {number} seconds
 * @param {import('node:child_process').ChildProcess} child
 * @param {() => string} output
 * @param {() => Promise<void>} stop
 * @returns {Promise<RunningServer>}
 */
async function runningOnceUp(baseUrl, path, seconds, child, output, stop) {
  try {
    await waitUntilUp(`${baseUrl}${path}`, child, output, seconds);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, stop };
}

/** @returns {Promise<RunningServer>} */
async function startJsonServer() {
  const dir = mkdtempSync(join(tmpdir(), 'registry-e2e-json-'));
  copyFileSync(join(ROOT, 'e2e', 'fixtures', 'db.json'), join(dir, 'db.json'));
  const port = await freePort();
  mkdirSync(join(dir, 'public'));
  const bin = join(ROOT, 'node_modules', '.bin', 'json-server');
  // cwd is the temp dir, so json-server's default ./public is the empty dir made above and only
  // dist/ is served. NODE_ENV=production turns off json-server's watching of its own db.json:
  // it re-reads the file after its own writes, and a POST answered 201 while such a read is
  // under way is lost (several of 21 quick POSTs, on about one fresh server in four).
  const { child, output } = startChild(bin, ['db.json', '--host', '127.0.0.1', '--port', String(port), '--static', DIST], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  return runningOnceUp(baseUrl, '/patients', 30, child, output, stop);
}

/** @returns {Promise<RunningServer>} */
async function startApi() {
  const python = join(ROOT, 'backend', '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: set up the back end first (see README).`);
  const dir = mkdtempSync(join(tmpdir(), 'registry-e2e-api-'));
  const port = await freePort();
  const { child, output } = startChild(
    python,
    ['-m', 'app', 'serve', '--host', '127.0.0.1', '--port', String(port), '--no-import'],
    {
      cwd: join(ROOT, 'backend'),
      env: {
        ...process.env,
        // A fresh embedded PostgreSQL, whatever a developer's .env points at.
        DATABASE_URL: '',
        ENVIRONMENT: 'development',
        PG_DATA_DIR: join(dir, 'pg'),
        FRONTEND_DIST: DIST,
      },
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    // SIGINT, like Ctrl+C: the back end stops its embedded PostgreSQL on the way out.
    // (On SIGTERM it exits without doing so, so check for a leftover server as well.)
    await stopChild(child, 'SIGINT');
    await stopPostgresIn(join(dir, 'pg'));
    rmSync(dir, { recursive: true, force: true });
  };
  return runningOnceUp(baseUrl, '/health', 60, child, output, stop);
}

/** @returns {Promise<RunningServer>} */
export async function startTarget() {
  requireDist();
  return target() === 'api' ? startApi() : startJsonServer();
}
