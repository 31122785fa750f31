// @ts-check
/**
 * Starts the server a browser test runs against: our FastAPI back end on a fresh embedded
 * PostgreSQL, serving dist/ at / (the same-origin build, empty VITE_API_BASE_URL, that
 * `make test-e2e` brings up to date first). On its first start it makes an `admin` with a
 * random password, written to INITIAL_ADMIN_FILE (here in the server's temp dir); more
 * accounts, with passwords we choose, come from the back end's own CLI (`python -m app
 * create-user`), run beside the server on the same embedded database.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');

const BACKEND = join(ROOT, 'backend');
const PYTHON = join(BACKEND, '.venv', 'bin', 'python');

/** @typedef {'admin' | 'clinician' | 'receptionist'} Role */
/**
 * @typedef {{
 *   baseUrl: string,
 *   stop: () => Promise<void>,
 *   initialAdminPassword: () => string,
 *   createUser: (username: string, role: Role, password: string) => Promise<void>,
 * }} RunningServer
 */

/** Only our API is a target now; E2E_TARGET=api (or unset) is kept for the commands that name it. */
function checkTarget() {
  const value = process.env.E2E_TARGET ?? 'api';
  if (value !== 'api') throw new Error(`E2E_TARGET can only be "api" (the default), got "${value}"`);
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
    throw new Error('dist/index.html is missing: run `make test-e2e`, which builds it first.');
  }
}

/**
 * Runs the back end's CLI beside the server, on its database, with `input` on stdin.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {string} input
 */
function runCli(args, env, input) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(PYTHON, ['-m', 'app', ...args], { cwd: BACKEND, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolveRun(output) : reject(new Error(`python -m app ${args.join(' ')} exited ${code}:\n${output}`)),
    );
    child.stdin.end(`${input}\n`);
  });
}

/**
 * @param {{ idleTimeoutSeconds?: number }} [options] a short SESSION_IDLE_TIMEOUT_S for the idle test
 * @returns {Promise<RunningServer>}
 */
export async function startServer(options = {}) {
  checkTarget();
  requireDist();
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: set up the back end first (see README).`);
  const dir = mkdtempSync(join(tmpdir(), 'registry-e2e-api-'));
  const port = await freePort();
  const adminFile = join(dir, 'initial-admin-password');
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    // A fresh embedded PostgreSQL, whatever a developer's .env points at.
    DATABASE_URL: '',
    ENVIRONMENT: 'development',
    PG_DATA_DIR: join(dir, 'pg'),
    FRONTEND_DIST: DIST,
    INITIAL_ADMIN_FILE: adminFile,
    // The embedded server is backed up at start: into this run's folder, not the checkout's.
    BACKUP_DIR: join(dir, 'backups'),
    // The background check for possible duplicates runs every half second, not at its leisure.
    DUPLICATE_CHECK_INTERVAL_S: '0.5',
    ...(options.idleTimeoutSeconds ? { SESSION_IDLE_TIMEOUT_S: String(options.idleTimeoutSeconds) } : {}),
  };
  const { child, output } = startChild(
    PYTHON,
    ['-m', 'app', 'serve', '--host', '127.0.0.1', '--port', String(port), '--no-import'],
    { cwd: BACKEND, env },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    // SIGINT, like Ctrl+C: the back end stops its embedded PostgreSQL on the way out.
    // (On SIGTERM it exits without doing so, so check for a leftover server as well.)
    await stopChild(child, 'SIGINT');
    await stopPostgresIn(join(dir, 'pg'));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(`${baseUrl}/health`, child, output, 90);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl,
    stop,
    initialAdminPassword() {
      if (!existsSync(adminFile)) throw new Error(`the server wrote no ${adminFile}:\n${output()}`);
      return readFileSync(adminFile, 'utf8').trim();
    },
    async createUser(username, role, password) {
      await runCli(['create-user', username, '--role', role, '--password-stdin'], env, password);
    },
  };
}
