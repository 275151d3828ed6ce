// The fault matrix and the upload soak (matrix.mjs) against the emulator, in Node and in headless
// Chromium, one after the other (faults are the emulator's, shared by all its clients). Prints
// the figures; fails on any call that did not recover with exactly the fault-free effect.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch } from '../chromium.mjs';
import { reliability } from './matrix.mjs';
import { hostileServer } from './hostile.mjs';
import * as helpers from '../suite/helpers.js';

const base = process.env.NOMADIC_EMULATOR_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const adminToken = process.env.NOMADIC_EMULATOR_TOKEN;

function report(where, { rows, soak, soakErrors }) {
  const failed = rows.filter((r) => !r.ok);
  const methods = new Set(rows.map((r) => r.method)).size;
  console.log(`${where}: fault matrix ${rows.length - failed.length}/${rows.length} recovered with exactly the fault-free effect (${methods} methods x 12 faults, body cuts only where a body is sent)`);
  for (const r of failed) console.log(`  FAILED ${r.method} x ${r.fault}: ${r.error ?? ''} change ${JSON.stringify(r.change)} want ${JSON.stringify(r.want)}${r.unused ? ' (the fault was never hit)' : ''}`);
  console.log(`${where}: soak of ${soak.uploads} uploads with ${soak.faults} faults: ${soak.failed} failed, ${soak.uploads - soak.distinct} lost, ${soak.stored - soak.distinct} duplicated`);
  for (const e of soakErrors) console.log(`  FAILED soak upload, ${e}`);
  assert.deepEqual(failed.map((r) => `${r.method} x ${r.fault}`), []);
  assert.deepEqual(soak, { uploads: 200, faults: 40, failed: 0, stored: 200, distinct: 200 });
}

function hostileReport(where, rows) {
  const bad = rows.filter((r) => !r.ok);
  console.log(`${where}: hostile server, ${rows.length - bad.length}/${rows.length} answers gave a typed error with nothing leaked`);
  for (const r of bad) console.log(`  FAILED ${r.case}: ${r.got}`);
  assert.deepEqual(bad.map((r) => `${r.case}: ${r.got}`), []);
}

test('a hostile server gets typed errors and no key, in Node', async () => {
  const { default: init, NomadicClient, NomadicMLError } = await import('../../pkg/node.js');
  await init();
  hostileReport('Node', await hostileServer({ NomadicClient, NomadicMLError }));
});

test('every method recovers from every fault exactly once, in Node', async () => {
  const { default: init, NomadicClient } = await import('../../pkg/node.js');
  await init();
  report('Node', await reliability({ NomadicClient, base, apiKey, adminToken, helpers, where: 'Node' }));
});

test('a hostile server gets typed errors and no key, and every method recovers from every fault exactly once, in Chromium', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(base + '/');
    // The same module in the page: loaded from blob URLs, its one import pointed at the helpers'.
    const sources = {
      helpers: await readFile(new URL('../suite/helpers.js', import.meta.url), 'utf8'),
      matrix: await readFile(new URL('./matrix.mjs', import.meta.url), 'utf8'),
      hostile: await readFile(new URL('./hostile.mjs', import.meta.url), 'utf8'),
    };
    const result = await page.evaluate(async ({ sources, apiKey, adminToken }) => {
      const url = (text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
      const helpers = await import(url(sources.helpers));
      const { reliability } = await import(url(sources.matrix));
      const { hostileServer } = await import(url(sources.hostile));
      const { default: init, NomadicClient, NomadicMLError } = await import('/pkg/index.js');
      await init();
      const hostile = await hostileServer({ NomadicClient, NomadicMLError });
      return { hostile, faults: await reliability({ NomadicClient, base: location.origin, apiKey, adminToken, helpers, where: 'Chromium' }) };
    }, { sources, apiKey, adminToken });
    hostileReport('Chromium', result.hostile);
    report('Chromium', result.faults);
  } finally {
    await browser.close();
  }
});
