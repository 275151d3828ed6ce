// Start-up: a fresh Node process to a ready client (the SDK against `openai` and `twelvelabs-js`
// installed from the registry), and a page importing the SDK to a ready client, with an empty
// cache (a new browser context) and again after a reload (warm).
import { spawn } from 'node:child_process';
import { interleaved, summary, launch } from './stats.mjs';

// What each process runs: import the package, load it, make a client; then print the time since
// the process began (`performance.now()` counts from the process's start).
const READY = {
  'nomadicml-web': "const { default: init, NomadicClient } = await import('nomadicml-web'); await init(); new NomadicClient({ apiKey: 'k' });",
  openai: "const { default: OpenAI } = await import('openai'); new OpenAI({ apiKey: 'k' });",
  'twelvelabs-js': "const { TwelveLabs } = await import('twelvelabs-js'); new TwelveLabs({ apiKey: 'k' });",
};

function coldStart(dir, code) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `${code} console.log(performance.now());`], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(out))));
  });
}

/** Name -> summary of ms from process start to a ready client; `dir` has the packages installed. */
export async function nodeStart({ dir, rounds }) {
  const runs = await interleaved(Object.fromEntries(Object.entries(READY).map(([name, code]) => [name, () => coldStart(dir, code)])), rounds);
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summary(v)]));
}

/** `{cold, warm}` summaries of ms from `import()` of the SDK to a ready client in a page. */
export async function browserStart({ base, rounds }) {
  const browser = await launch();
  const runs = { cold: [], warm: [] };
  const ready = () => {
    const t = performance.now();
    return import('/pkg/index.js').then(async (m) => {
      await m.default();
      new m.NomadicClient({ apiKey: 'k', baseUrl: location.origin });
      return performance.now() - t;
    });
  };
  try {
    for (let i = 0; i <= rounds; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(base + '/__emulator/health');
      const cold = await page.evaluate(ready);
      await page.reload();
      const warm = await page.evaluate(ready);
      await context.close();
      // The first round warms the browser itself; it is not counted.
      if (i > 0) {
        runs.cold.push(cold);
        runs.warm.push(warm);
      }
    }
  } finally {
    await browser.close();
  }
  return { cold: summary(runs.cold), warm: summary(runs.warm) };
}
