# SPDX-License-Identifier: Apache-2.0
# The player page in headless Chromium against the real server: `sluice put-media --test-source`
# streams live H.264 into a stream, /player/ plays it LIVE (the playhead advances), then plays a
# past range ON_DEMAND to its end (fMP4 and MPEG-TS), and reports an unknown stream as an error.
# Driven by tests/e2e/browser/play.mjs (playwright-core from web/node_modules); screenshots land
# in <build>/test-artifacts/playback/.
import json
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from support import REPO, sluice_bin
from video_support import media_endpoint, kvs_client

CHROMIUM = Path("/usr/bin/chromium")
PLAY_SCRIPT = Path(__file__).resolve().parent / "browser" / "play.mjs"
PLAYWRIGHT = REPO / "web" / "node_modules" / "playwright-core"
STREAM = "browser-live"
WAIT_S = 120  # generous: waiting only, never a timing assertion


@pytest.fixture(scope="module", autouse=True)
def browser_tools():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (scripts/install-deps.sh installs it)")
    assert shutil.which("node"), "node is needed to drive Chromium (scripts/install-deps.sh)"
    assert PLAYWRIGHT.exists(), f"{PLAYWRIGHT} is missing: build the default target (npm ci)"


@pytest.fixture(scope="module")
def artifacts():
    folder = sluice_bin().resolve().parent / "test-artifacts" / "playback"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class LiveProducer:
    """`sluice put-media --test-source` into one stream until stopped; counts PERSISTED acks."""

    def __init__(self, server, name):
        cmd = [str(sluice_bin()), "put-media", "--endpoint", server.endpoint_url, "--stream", name,
               "--test-source"]
        self.started_at = time.time()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.persisted = []
        self.errors = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if not line.strip():
                continue
            ack = json.loads(line)
            if ack.get("EventType") == "PERSISTED":
                self.persisted.append(ack)
            elif ack.get("EventType") == "ERROR":
                self.errors.append(ack)

    def wait_persisted(self, count):
        deadline = time.monotonic() + WAIT_S
        while len(self.persisted) < count and time.monotonic() < deadline:
            assert self.proc.poll() is None, f"put-media ended: {self.proc.stderr.read()}"
            assert not self.errors, self.errors
            time.sleep(0.2)
        assert len(self.persisted) >= count, f"only {len(self.persisted)} fragments persisted"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def live(server):
    producer = LiveProducer(server, STREAM)
    producer.wait_persisted(3)
    yield producer
    producer.stop()


def player_url(server, **params):
    return f"{server.endpoint_url}/player/?{urllib.parse.urlencode(params)}"


def play(url, until, screenshot, timeout=WAIT_S):
    """Runs play.mjs; returns its JSON result (printing the screenshot path and the verdict)."""
    cmd = ["node", str(PLAY_SCRIPT), "--url", url, "--until", until, "--timeout", str(timeout),
           "--screenshot", str(screenshot), "--chromium", str(CHROMIUM)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 60)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"play.mjs printed no result (exit {out.returncode}): {out.stderr[-3000:]}"
    result = json.loads(lines[-1])
    print(f"screenshot: {screenshot} ({result['reason']})")
    return result


def describe(result):
    return json.dumps({k: result.get(k) for k in ("reason", "state", "error", "currentTime",
                                                   "duration", "readyState", "console")},
                      indent=1)[-4000:]


def listed(server, name, start, end):
    endpoint = media_endpoint(server, name, "LIST_FRAGMENTS")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    return archived.list_fragments(StreamName=name, FragmentSelector={
        "FragmentSelectorType": "SERVER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": start, "EndTimestamp": end}})["Fragments"]


def test_page_and_hls_js_are_served(server):
    with urllib.request.urlopen(server.endpoint_url + "/player/", timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/html")
        page = r.read()
        assert b"player.js" in page and b"../vendor/hls.min.js" in page
    with urllib.request.urlopen(server.endpoint_url + "/vendor/hls.min.js", timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/javascript")
        assert len(r.read()) > 100_000


@pytest.mark.parametrize("low_latency", [False, True], ids=["hls", "ll-hls"])
def test_live_plays(server, live, artifacts, low_latency):
    params = {"stream": STREAM, "mode": "LIVE"}
    if low_latency:
        params["low_latency"] = "1"  # an LL-HLS session: hls.js reloads with _HLS_msn
    result = play(player_url(server, **params), "playing",
                  artifacts / ("live-ll.png" if low_latency else "live.png"))
    assert result["ok"], describe(result)
    assert result["readyState"] >= 3
    assert result["state"] in ("playing", "buffering"), describe(result)
    last = result["samples"][-1]
    assert (last["width"], last["height"]) != (0, 0), "a decoded picture has a size"
    if low_latency:
        assert result["blockingReloads"] > 0, describe(result)


@pytest.mark.parametrize("container", ["FRAGMENTED_MP4", "MPEG_TS"])
def test_on_demand_plays_to_the_end(server, live, artifacts, container):
    # A past range of the live stream: from its start, about 6 s long, ending in the past.
    start = live.started_at - 1
    deadline = time.monotonic() + WAIT_S
    while time.time() < start + 8 and time.monotonic() < deadline:
        time.sleep(0.5)
    end = start + 7
    assert len(listed(server, STREAM, start, end)) >= 3
    url = player_url(server, stream=STREAM, mode="ON_DEMAND", start=f"{start:.3f}",
                     end=f"{end:.3f}", container=container)
    result = play(url, "ended", artifacts / f"on-demand-{container.lower()}.png")
    assert result["ok"], describe(result)
    assert result["duration"] > 2, describe(result)


def test_unknown_stream_is_reported(server, artifacts):
    result = play(player_url(server, stream="no-such-stream", mode="LIVE"), "playing",
                  artifacts / "unknown-stream.png", timeout=60)
    assert not result["ok"]
    assert result["state"] == "error", describe(result)
    assert "ResourceNotFoundException" in result["error"], describe(result)
