// Starts the real minside binary for the whole run: a free loopback port, a fresh
// temporary data dir and SQLite database (seeded with the demo persons, as dev mode
// does on an empty database), waits for /readyz, and returns the teardown that stops
// it. Tests read the address from MINSIDE_E2E_URL (workers inherit this process's env).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitReady(url, proc, ms) {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`minside exited with code ${proc.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) { last = err.message; }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`minside not ready at ${url}/readyz after ${ms} ms (${last})`);
}

/**
 * startServer starts the binary on a free port with a fresh data dir and demo data, with env
 * added to the defaults, and returns {url, logPath, dir, stop}. A spec that needs another
 * configuration (e.g. a stricter step-up level) starts its own with it.
 */
export async function startServer(env = {}) {
  const bin = resolve(process.env.MINSIDE_BIN || 'bin/minside');
  if (!existsSync(bin)) throw new Error(`${bin} not found: run \`make build\` (or set MINSIDE_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'minside-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'minside.log');
  const log = createWriteStream(logPath);
  const proc = spawn(bin, [], {
    env: {
      ...process.env,
      MINSIDE_ENV: 'dev',
      MINSIDE_ADDR: `127.0.0.1:${port}`,
      MINSIDE_BASE_URL: url, // plain http is allowed for 127.0.0.1 in dev (cookie "minside", not __Host-)
      MINSIDE_DATABASE_URL: `sqlite:${join(dir, 'minside.db')}`,
      MINSIDE_DATA_DIR: dir,
      MINSIDE_SEED_DEMO: 'true',
      MINSIDE_LOG_LEVEL: process.env.MINSIDE_LOG_LEVEL || 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  try {
    await waitReady(url, proc, 60_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}; server log: ${logPath}`);
  }
  const stop = async () => {
    const exited = new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    log.end();
    if (!process.env.E2E_KEEP_DATA) rmSync(dir, { recursive: true, force: true });
  };
  return { url, logPath, dir, stop };
}

export default async function globalSetup() {
  if (process.env.MINSIDE_E2E_URL) return undefined; // an already running server (debugging)
  const { url, logPath, dir, stop } = await startServer();
  process.env.MINSIDE_E2E_URL = url;
  process.env.MINSIDE_E2E_LOG = logPath;
  console.log(`e2e: minside ${resolve(process.env.MINSIDE_BIN || 'bin/minside')} on ${url} (data ${dir})`);
  return stop;
}
