// Debian's headless Chromium, driven by playwright-core (which never downloads a browser), with
// the flags that work on these machines: for the dashboard test, the reliability suite and the
// benchmarks alike.
import { chromium } from '../tools/node_modules/playwright-core/index.mjs';

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}
