// SPDX-License-Identifier: Apache-2.0
// Opens a player URL in headless Chromium (playwright-core from web/node_modules) and waits until
// the video plays (--until playing: currentTime advanced between two samples taken > 0.5 s
// apart and readyState >= 3) or reaches its end (--until ended: the ended event, or currentTime
// within 0.5 s of a finite duration). With --watch S it then keeps sampling for S seconds
// (playhead wall-clock delay from #EXT-X-PROGRAM-DATE-TIME, for benchmarks).
// Prints one JSON line: {ok, reason, state, error, currentTime, duration, readyState, samples,
// blockingReloads (playlist requests with _HLS_msn), screenshot, console}; exits 0 when ok. Usage:
//   node play.mjs --url URL [--until playing|ended] [--timeout S] [--screenshot PNG] [--watch S]
//                 [--chromium /usr/bin/chromium]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../../web/package.json'));
const { chromium } = require('playwright-core');

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    until: { type: 'string', default: 'playing' },
    timeout: { type: 'string', default: '90' },
    screenshot: { type: 'string' },
    watch: { type: 'string', default: '0' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!opts.url || !['playing', 'ended'].includes(opts.until)) {
  console.error('usage: play.mjs --url URL [--until playing|ended] [--timeout S] [--screenshot PNG]');
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const consoleLines = [];
const result = { ok: false, reason: '', samples: [], blockingReloads: 0, console: consoleLines };

// What the page reports, read in one evaluate so the fields belong together.
function snapshot(page) {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    const p = window.sluicePlayer || {};
    return {
      at: Date.now(),
      state: p.state ?? null,
      error: p.error ?? null,
      ended: Boolean(p.ended) || (v ? v.ended : false),
      currentTime: v ? v.currentTime : null,
      duration: v ? v.duration : null,
      readyState: v ? v.readyState : null,
      programDateTime: p.programDateTime ?? null,
      width: v ? v.videoWidth : null,
      height: v ? v.videoHeight : null,
    };
  });
}

function reached(samples, until) {
  const last = samples[samples.length - 1];
  if (until === 'ended') {
    return last.ended || (Number.isFinite(last.duration) && last.duration > 0 &&
                          last.currentTime >= last.duration - 0.5);
  }
  if (last.readyState < 3) return false;
  // An earlier sample taken more than 0.5 s before with a smaller currentTime.
  return samples.some((s) => last.at - s.at > 500 && last.currentTime > s.currentTime);
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
});
let page;
try {
  page = await browser.newPage({ viewport: { width: 960, height: 720 } });
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 500)));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`.slice(0, 500)));
  page.on('request', (r) => { if (r.url().includes('_HLS_msn=')) result.blockingReloads += 1; });
  page.on('requestfailed', (r) =>
    consoleLines.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`.slice(0, 500)));
  const deadline = Date.now() + Number(opts.timeout) * 1000;
  await page.goto(opts.url, { waitUntil: 'load', timeout: Number(opts.timeout) * 1000 });
  while (true) {
    const s = await snapshot(page);
    result.samples.push(s);
    Object.assign(result, { state: s.state, error: s.error, currentTime: s.currentTime,
                            duration: s.duration, readyState: s.readyState });
    if (s.state === 'error') {
      result.reason = `player error: ${s.error}`;
      break;
    }
    if (reached(result.samples, opts.until)) {
      result.ok = true;
      result.reason = `reached ${opts.until}`;
      // Near the end by currentTime: give the ended event a moment, for the screenshot.
      for (let i = 0; opts.until === 'ended' && !s.ended && i < 12; ++i) {
        await sleep(250);
        const later = await snapshot(page);
        result.samples.push(later);
        if (later.ended) break;
      }
      Object.assign(result, { state: result.samples.at(-1).state,
                              ended: result.samples.at(-1).ended });
      break;
    }
    if (Date.now() > deadline) {
      result.reason = `timed out after ${opts.timeout} s waiting for ${opts.until}`;
      break;
    }
    await sleep(250);
  }
  const watchUntil = Date.now() + Number(opts.watch) * 1000;
  while (result.ok && Date.now() < watchUntil) {
    await sleep(500);
    result.samples.push(await snapshot(page));
  }
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot });
    result.screenshot = opts.screenshot;
  }
} catch (e) {
  result.ok = false;
  result.reason = `driver error: ${e.message}`;
} finally {
  await browser.close();
}
// Keep the line short: the first and last samples tell the story.
if (result.samples.length > 40 && Number(opts.watch) === 0) {
  result.samples = [...result.samples.slice(0, 10), ...result.samples.slice(-20)];
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
