// `cargo xtask bench`: every SDK benchmark in one go, side by side, as one report: a Markdown
// table (target/bench/report.md, also printed) and a plot of upload throughput against file size
// (target/bench/upload.svg). Figures are medians of interleaved rounds with their spread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uploads } from './upload.mjs';
import { paging } from './import-rows.mjs';
import { nodeStart, browserStart } from './startup.mjs';
import { bundles } from './bundle.mjs';
import { ms } from './stats.mjs';

const base = process.env.NOMADIC_DASHBOARD_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const out = process.env.BENCH_OUT;
const baselines = process.env.BENCH_BASELINES;
const pkg = process.env.BENCH_PKG;
const sizes = (process.env.BENCH_UPLOAD_MIB || '256,1024').split(',').map(Number);
const uploadRounds = Number(process.env.BENCH_UPLOAD_ROUNDS || 5);
const rounds = Number(process.env.BENCH_ROUNDS || 7);
// Paging is judged against a 5 % goal, and 7 rounds of it moved its median ratio by 0.1 from one
// run to the next on this shared machine; 21 rounds (31 by hand) kept the ways in a steady order.
const pagingRounds = Number(process.env.BENCH_PAGING_ROUNDS || 21);
const total = Number(process.env.BENCH_ROWS || 200000);

const step = (s) => console.log(`\n==> ${s}`);
const ratio = (a, b) => (a.median / b.median).toFixed(3);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

step(`uploads of a picked file (${sizes.join(', ')} MiB), ${uploadRounds} interleaved rounds`);
const up = await uploads({ base, apiKey, sizes, rounds: uploadRounds });
step(`importJobRows over ${total} rows against a hand-written loop, ${pagingRounds} rounds`);
const pages = await paging({ base, apiKey, total, rounds: pagingRounds });
step(`start-up to a ready client, ${rounds} rounds`);
const node = await nodeStart({ dir: baselines, rounds });
const page = await browserStart({ base, rounds });
step('bundle sizes');
const size = await bundles({ pkg, baselines });

const rows = [['measure', 'SDK', 'baseline', 'SDK / baseline', 'goal']];
for (const u of up) {
  const mem = (n) => `renderer +${u[n].memory.toFixed(1)} MiB`;
  const fig = (n) => `${ms(u[n].ms)}, ${u[n].mibs.toFixed(0)} MiB/s, ${mem(n)}`;
  rows.push([`upload ${u.mib} MiB .mp4, browser type matches`, fig('sdk'), `XHR: ${fig('xhr')}`, ratio(u.sdk.ms, u.xhr.ms), '<= 1.05, < 16 MiB']);
  rows.push([`upload ${u.mib} MiB .mp4, browser type differs`, fig('mismatched'), `XHR: ${fig('xhr')}`, ratio(u.mismatched.ms, u.xhr.ms), '<= 1.05, < 16 MiB']);
  rows.push([`(not used) XHR of a re-typing slice, ${u.mib} MiB`, fig('slice'), `XHR: ${fig('xhr')}`, ratio(u.slice.ms, u.xhr.ms), '']);
  rows.push([`(not used) XHR of a File wrapping the picked one, ${u.mib} MiB`, fig('wrapped'), `XHR: ${fig('xhr')}`, ratio(u.wrapped.ms, u.xhr.ms), '']);
  rows.push([`(not used) XHR of a hand-built multipart Blob, ${u.mib} MiB`, fig('handBuilt'), `XHR: ${fig('xhr')}`, ratio(u.handBuilt.ms, u.xhr.ms), '']);
}
for (const [where, p] of [['Chromium', pages.chromium], [`Node ${process.version}`, pages.node]]) {
  const per = `per round ${Math.min(...p.ratios).toFixed(2)}-${Math.max(...p.ratios).toFixed(2)}`;
  rows.push([`paging ${total} rows, ${where}`, ms(p.sdk), `fetch + JSON.parse loop: ${ms(p.hand)}`, `${ratio(p.sdk, p.hand)} (${per})`, '<= 1.05']);
  const floorPer = `per round ${Math.min(...p.floorRatios).toFixed(2)}-${Math.max(...p.floorRatios).toFixed(2)}`;
  rows.push([`(floor) the SDK's contracts written by hand, ${where}`, ms(p.contract), `fetch + JSON.parse loop: ${ms(p.hand)}`, `${ratio(p.contract, p.hand)} (${floorPer})`, '']);
  const requestPer = `per round ${Math.min(...p.requestRatios).toFixed(2)}-${Math.max(...p.requestRatios).toFixed(2)}`;
  rows.push([`(floor) the same, fetch handed a Request object as gloo-net does, ${where}`, ms(p.request), `fetch + JSON.parse loop: ${ms(p.hand)}`, `${ratio(p.request, p.hand)} (${requestPer})`, '']);
  if (p.cpu) {
    // CPU time of the client per page (500 rows), medians: what the SDK itself adds.
    const perPage = (s) => `${((s.median * 1000 * 500) / total).toFixed(0)} µs`;
    rows.push([`(CPU) client CPU per 500-row page, ${where}`, `SDK: ${perPage(p.cpu.sdk)}, floor: ${perPage(p.cpu.contract)}, through a Request: ${perPage(p.cpu.request)}`, `loop: ${perPage(p.cpu.hand)}`, ratio(p.cpu.sdk, p.cpu.hand), '']);
  }
}
for (const other of ['openai', 'twelvelabs-js']) {
  rows.push([`Node: process start to a ready client`, ms(node['nomadicml-web']), `${other}: ${ms(node[other])}`, ratio(node['nomadicml-web'], node[other]), '']);
}
rows.push(['page: import() to a ready client, empty cache', ms(page.cold), '', '', '']);
rows.push(['page: import() to a ready client, after a reload', ms(page.warm), '', '', '']);
rows.push([
  `bundle a page downloads (${size.sdk.files} files), gzip / brotli`,
  `${kb(size.sdk.gzip)} / ${kb(size.sdk.brotli)}`,
  `openai, esbuild --minify: ${kb(size.openai.gzip)} / ${kb(size.openai.brotli)}`,
  `${(size.sdk.gzip / size.openai.gzip).toFixed(2)} / ${(size.sdk.brotli / size.openai.brotli).toFixed(2)}`,
  '',
]);

const table = rows.map((r, i) => `| ${r.join(' | ')} |` + (i === 0 ? `\n|${r.map(() => '---').join('|')}|` : '')).join('\n');
const md = `# nomadicml-web benchmark report\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, headless Chromium; ` +
  `medians of interleaved rounds (min-max). Uploads: ${uploadRounds} rounds per size; paging: ${pagingRounds}; the rest: ${rounds}.\n\n${table}\n\n![upload throughput](upload.svg)\n`;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'report.md'), md);
writeFileSync(join(out, 'upload.svg'), plot(up));
console.log('\n' + md);
console.log(`written: ${join(out, 'report.md')} and upload.svg`);

/** Upload throughput (MiB/s at the median) against file size, one line per way of sending. */
function plot(results) {
  const series = [['sdk', 'SDK, type matches', '#1f6feb'], ['mismatched', 'SDK, type differs', '#8250df'], ['xhr', 'hand-written XHR', '#2da44e'], ['slice', 're-typing slice (not used)', '#cf222e'], ['wrapped', 'File wrapper (not used)', '#bf8700'], ['handBuilt', 'hand-built multipart Blob (not used)', '#57606a']];
  const [w, h, left, bottom] = [560, 320, 60, 40];
  const maxY = Math.max(...results.flatMap((r) => series.map(([k]) => r[k].mibs))) * 1.15;
  const xs = results.map((r) => r.mib);
  const x = (mib) => left + (xs.length === 1 ? (w - left) / 2 : ((Math.log2(mib) - Math.log2(xs[0])) / (Math.log2(xs.at(-1)) - Math.log2(xs[0]))) * (w - left - 40) + 20);
  const y = (v) => h - bottom - (v / maxY) * (h - bottom - 20);
  const lines = series.map(([k, label, color], i) => {
    const pts = results.map((r) => `${x(r.mib).toFixed(1)},${y(r[k].mibs).toFixed(1)}`);
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>` +
      pts.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${color}"/>`).join('') +
      `<text x="${left + 10}" y="${20 + i * 16}" fill="${color}" font-size="12">${label}</text>`;
  });
  const ticks = xs.map((mib) => `<text x="${x(mib)}" y="${h - bottom + 16}" font-size="11" text-anchor="middle">${mib} MiB</text>`);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${left - 6}" y="${y(f * maxY) + 4}" font-size="11" text-anchor="end">${(f * maxY).toFixed(0)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<line x1="${left}" y1="${h - bottom}" x2="${w}" y2="${h - bottom}" stroke="#888"/><line x1="${left}" y1="10" x2="${left}" y2="${h - bottom}" stroke="#888"/>` +
    `<text x="14" y="${(h - bottom) / 2}" font-size="11" transform="rotate(-90 14 ${(h - bottom) / 2})" text-anchor="middle">MiB/s (median)</text>` +
    `<text x="${(w + left) / 2}" y="${h - 6}" font-size="11" text-anchor="middle">file size</text>` +
    ticks.join('') + yTicks.join('') + lines.join('') + '</svg>\n';
}
