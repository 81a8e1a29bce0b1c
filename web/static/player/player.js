// SPDX-License-Identifier: Apache-2.0
// Sluice player: reads the page's query (stream, mode, start, end, container, low_latency), asks
// this server for an HLS session (POST ../getHLSStreamingSessionURL, KVS REST-JSON, unsigned) and
// plays it with hls.js (native HLS where Media Source Extensions are missing). Tests and scripts
// read window.sluicePlayer: {state, error, ended, sessionUrl, ...}; see web/static/README.md.
'use strict';

(function () {
  const MODES = ['LIVE', 'LIVE_REPLAY', 'ON_DEMAND'];
  const CONTAINERS = ['FRAGMENTED_MP4', 'MPEG_TS'];
  // Longest session KVS allows (12 h), so a page left open keeps playing; a live session that
  // still fails (server restarted with a new token secret) is renewed, at most this often.
  const EXPIRES_S = 43200;
  const RENEW_AFTER_MS = 3000;
  const MAX_RENEWALS = 20;

  const video = document.getElementById('video');
  const statusLine = document.getElementById('status');
  const clockLine = document.getElementById('clock');
  let hls = null;
  let renewals = 0;

  // What tests and benchmarks read. `state`: idle, requesting, loading, playing, buffering,
  // paused, ended or error (then `error` says why). `programDateTime`: wall-clock time (epoch ms)
  // of the frame on screen, from #EXT-X-PROGRAM-DATE-TIME; null when the playlist has none.
  const status = {
    state: 'idle',
    error: null,
    ended: false,
    stream: null,
    mode: null,
    container: null,
    lowLatency: false,
    sessionUrl: null,
    renewals: 0,
    get currentTime() { return video.currentTime; },
    get duration() { return video.duration; },
    get readyState() { return video.readyState; },
    get programDateTime() { return playheadDate(); },
  };
  window.sluicePlayer = status;

  function setState(state, detail) {
    status.state = state;
    const where = status.stream ? `${status.stream} (${status.mode}): ` : '';
    statusLine.textContent = where + state + (detail ? ` — ${detail}` : '');
    statusLine.className = state;
  }

  function fail(message) {
    status.error = message;
    setState('error', message);
  }

  // Seconds since the epoch, from "1700000000", "1700000000.5" or an ISO 8601 date.
  function parseTime(text, name) {
    if (text === null || text === '') return null;
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`${name}=${text} is neither epoch seconds nor a date`);
    return ms / 1000;
  }

  function readParams() {
    const q = new URLSearchParams(location.search);
    const p = {
      stream: q.get('stream') || '',
      mode: (q.get('mode') || 'LIVE').toUpperCase(),
      container: (q.get('container') || 'FRAGMENTED_MP4').toUpperCase(),
      start: parseTime(q.get('start'), 'start'),
      end: parseTime(q.get('end'), 'end'),
      lowLatency: q.get('low_latency') === '1' || q.get('low_latency') === 'true',
    };
    if (!MODES.includes(p.mode)) throw new Error(`mode must be one of ${MODES.join(', ')}`);
    if (!CONTAINERS.includes(p.container)) {
      throw new Error(`container must be one of ${CONTAINERS.join(', ')}`);
    }
    if (p.mode === 'ON_DEMAND' && (p.start === null || p.end === null)) {
      throw new Error('ON_DEMAND needs start and end');
    }
    if (p.mode === 'LIVE_REPLAY' && p.start === null) throw new Error('LIVE_REPLAY needs start');
    return p;
  }

  // Fills the form from the query so that a human can change one field and play again.
  function fillForm(q) {
    const form = document.getElementById('choose');
    for (const name of ['stream', 'mode', 'start', 'end', 'container']) {
      if (q.has(name)) form.elements[name].value = q.get(name);
    }
    form.elements.low_latency.checked = q.get('low_latency') === '1';
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const name of ['stream', 'mode', 'start', 'end', 'container']) {
        const value = form.elements[name].value.trim();
        if (value) next.set(name, value);
      }
      if (form.elements.low_latency.checked) next.set('low_latency', '1');
      location.search = next.toString();
    });
  }

  // GetHLSStreamingSessionURL (kinesis-wire.md B8). The selector is sent only with a range: KVS
  // rejects one for LIVE.
  async function requestSession(p) {
    const body = {
      StreamName: p.stream,
      PlaybackMode: p.mode,
      ContainerFormat: p.container,
      // A marker only at real gaps (> 50 ms): one between every fragment (KVS's default for
      // SERVER_TIMESTAMP) makes hls.js restart its timeline each second, stalling and skipping.
      DiscontinuityMode: 'ON_DISCONTINUITY',
      DisplayFragmentTimestamp: 'ALWAYS',
      Expires: EXPIRES_S,
    };
    if (p.start !== null || p.end !== null) {
      const range = {};
      if (p.start !== null) range.StartTimestamp = p.start;
      if (p.end !== null) range.EndTimestamp = p.end;
      body.HLSFragmentSelector = { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range };
    }
    // Sluice's one member beyond the KVS model: an LL-HLS session (blocking playlist reload).
    if (p.lowLatency) body.SluiceLowLatency = true;
    const response = await fetch(new URL('../getHLSStreamingSessionURL', location.href), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let json = {};
    try { json = JSON.parse(text); } catch (e) { /* reported below */ }
    if (!response.ok) {
      const type = response.headers.get('x-amzn-ErrorType') || json.__type || `HTTP ${response.status}`;
      throw new Error(`${type.split(':')[0]}: ${json.Message || json.message || text}`);
    }
    if (!json.HLSStreamingSessionURL) throw new Error(`no HLSStreamingSessionURL in ${text}`);
    // The server that served this page issued the session: fetch it from the page's own origin
    // and path prefix, which the browser can reach even when the advertised endpoint is not.
    const issued = new URL(json.HLSStreamingSessionURL);
    return new URL('..' + issued.pathname + issued.search, location.href).href;
  }

  function playheadDate() {
    if (hls && hls.playingDate) return hls.playingDate.getTime();
    if (typeof video.getStartDate === 'function') {
      const start = video.getStartDate().getTime();
      if (!Number.isNaN(start)) return start + video.currentTime * 1000;
    }
    return null;
  }

  function watchVideo() {
    video.addEventListener('playing', () => setState('playing'));
    video.addEventListener('waiting', () => setState('buffering'));
    video.addEventListener('pause', () => { if (!video.ended) setState('paused'); });
    video.addEventListener('ended', () => { status.ended = true; setState('ended'); });
    video.addEventListener('error', () => {
      const e = video.error;
      if (e && !hls) fail(`video element error ${e.code}: ${e.message}`);
    });
    setInterval(() => {
      const at = playheadDate();
      clockLine.textContent = at === null ? '' :
        `On screen: ${new Date(at).toISOString()} (${((Date.now() - at) / 1000).toFixed(1)} s ago)`;
    }, 500);
  }

  // A live session that dies (server restart, expired token) gets a new one; on-demand fails.
  function renewOrFail(p, message) {
    if (p.mode === 'ON_DEMAND' || renewals >= MAX_RENEWALS) {
      fail(message);
      return;
    }
    renewals += 1;
    status.renewals = renewals;
    setState('loading', `${message}; new session in ${RENEW_AFTER_MS / 1000} s`);
    setTimeout(() => start(p), RENEW_AFTER_MS);
  }

  function attachHls(p, url) {
    if (hls) hls.destroy();
    const config = { lowLatencyMode: p.lowLatency, backBufferLength: 30 };
    if (p.lowLatency) {
      // Fragments have no LL-HLS parts: hls.js holds back whole target durations (3 by default).
      // With blocking reload a fragment is listed as soon as it is stored, so 2 are enough;
      // a slightly faster rate wins back what a stall cost.
      Object.assign(config, { liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.1 });
    }
    hls = new Hls(config);
    let mediaRecoveries = 0;
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
        mediaRecoveries += 1;
        hls.recoverMediaError();
        return;
      }
      const code = data.response && data.response.code ? ` (HTTP ${data.response.code})` : '';
      renewOrFail(p, `hls.js ${data.type} ${data.details}${code}`);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch((e) => setState('paused', `press play (${e.message})`));
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  async function start(p) {
    setState('requesting');
    let url;
    try {
      url = await requestSession(p);
    } catch (e) {
      if (p.mode !== 'ON_DEMAND' && status.sessionUrl !== null) renewOrFail(p, e.message);
      else fail(e.message);
      return;
    }
    status.sessionUrl = url;
    setState('loading');
    if (window.Hls && Hls.isSupported()) {
      attachHls(p, url);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else if (!window.Hls) {
      fail('hls.js did not load (../vendor/hls.min.js)');
    } else {
      fail('this browser has neither Media Source Extensions nor native HLS');
    }
  }

  function main() {
    const q = new URLSearchParams(location.search);
    fillForm(q);
    watchVideo();
    if (!q.get('stream')) return;  // idle: the form is the page
    let p;
    try {
      p = readParams();
    } catch (e) {
      fail(e.message);
      return;
    }
    Object.assign(status, { stream: p.stream, mode: p.mode, container: p.container,
                            lowLatency: p.lowLatency });
    document.title = `${p.stream} · Sluice player`;
    start(p);
  }

  main();
})();
