#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# HLS playback against the real server on loopback, fed by a paced PutMedia camera
# (camera_bench.py's): (a) live latency from a fragment's PERSISTED ack to its first listing in a
# LIVE media playlist (tight polling, then LL-HLS blocking reload), (b) segments served cold
# (first request: read + remux) and warm (cache hit) at several concurrencies, (c) N concurrent
# live viewers with server CPU per viewer and RSS, (d) the playhead's delay behind server time in
# hls.js (headless Chromium, when present). Prints tables; writes bench/out/playback_bench.json.
import argparse
import asyncio
import json
import os
import posixpath
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench_support import start_sluice
from camera_bench import (TICKS, Camera, cpu_ticks, create_stream, make_media, mem_mib,
                          percentile, split_mkv, stop)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STREAM = "playback"
PLAY_SCRIPT = ROOT / "tests" / "e2e" / "browser" / "play.mjs"
CHROMIUM = Path("/usr/bin/chromium")


# --- HTTP -------------------------------------------------------------------------------------
class Http:
    """One keep-alive HTTP/1.1 connection on asyncio streams; reconnects after a close."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, target, body=b"", headers=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        fields = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, value = line.decode("latin-1").split(":", 1)
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                data += await self.reader.readexactly(size)
                await self.reader.readline()
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass
        else:
            data = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, fields, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def hls_session(http, mode="LIVE", container="FRAGMENTED_MP4", start=None, end=None,
                      low_latency=False):
    """Creates an HLS session on STREAM; returns the media playlist's path and query."""
    body = {"StreamName": STREAM, "PlaybackMode": mode, "ContainerFormat": container}
    if start is not None:
        body["HLSFragmentSelector"] = {"FragmentSelectorType": "SERVER_TIMESTAMP",
                                       "TimestampRange": {"StartTimestamp": start,
                                                          "EndTimestamp": end}}
    if low_latency:
        body["SluiceLowLatency"] = True
    status, _, data = await http.request("POST", "/getHLSStreamingSessionURL",
                                         json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"GetHLSStreamingSessionURL {mode}: HTTP {status} {data[:300]!r}")
    url = urllib.parse.urlsplit(json.loads(data)["HLSStreamingSessionURL"])
    status, _, master = await http.request("GET", f"{url.path}?{url.query}")
    if status != 200:
        raise RuntimeError(f"master playlist: HTTP {status} {master[:300]!r}")
    media = next(line for line in master.decode().splitlines() if line and line[0] != "#")
    return posixpath.dirname(url.path) + "/" + media


def parse_playlist(text, base="/hls/v1/"):
    """(media sequence, init path or None, [(fragment number, path)]) of a media playlist."""
    sequence, init, segments = 0, None, []
    for line in text.splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MAP:") and init is None:
            init = base + re.search(r'URI="([^"]+)"', line).group(1)
        elif line and line[0] != "#":
            number = urllib.parse.parse_qs(urllib.parse.urlsplit(line).query)["FragmentNumber"][0]
            segments.append((number, base + line))
    return sequence, init, segments


class TrackedCamera(Camera):
    """camera_bench's camera, also noting when each fragment number's PERSISTED ack arrived."""

    def __init__(self, name, header, clusters):
        super().__init__(name, header, clusters)
        self.persisted_by_number = {}

    def _on_ack(self, ack, now):
        super()._on_ack(ack, now)
        if ack.get("EventType") == "PERSISTED":
            self.persisted_by_number.setdefault(ack.get("FragmentNumber"), now)


def stats(values):
    return {"n": len(values), "p50": percentile(values, 50), "p90": percentile(values, 90),
            "p99": percentile(values, 99), "max": max(values) if values else float("nan")}


# --- (a) live latency -------------------------------------------------------------------------
async def live_latency(port, header, clusters, low_latency, poll_ms):
    """PERSISTED ack -> first listing in the LIVE playlist, per fragment (ms)."""
    loop = asyncio.get_running_loop()
    cam = TrackedCamera(STREAM, header, clusters)
    producer = asyncio.create_task(cam.run(port, loop.time() + 0.2, len(clusters)))
    while not cam.persisted_by_number and not producer.done():
        await asyncio.sleep(0.05)  # a LIVE session needs a fragment to exist
    http = Http(port)
    media = await hls_session(http, "LIVE", low_latency=low_latency)
    polling_from = loop.time()
    seen, requests, next_msn, grace_until = {}, 0, None, None

    def more():  # the last fragments are acked just before the camera ends: look 2 s longer
        nonlocal grace_until
        if not producer.done():
            return True
        grace_until = grace_until or loop.time() + 2.0
        return loop.time() < grace_until and any(n not in seen for n in cam.persisted_by_number)

    while more():
        target = media if next_msn is None else f"{media}&_HLS_msn={next_msn}"
        status, _, body = await http.request("GET", target)
        requests += 1
        now = loop.time()
        if status != 200:
            raise RuntimeError(f"media playlist: HTTP {status} {body[:300]!r}")
        sequence, _, segments = parse_playlist(body.decode())
        for number, _ in segments:
            seen.setdefault(number, now)
        if low_latency and segments and not producer.done():
            next_msn = sequence + len(segments)  # block until the next one is listed
        elif not low_latency:
            await asyncio.sleep(poll_ms / 1000.0)
    await producer
    http.close()
    latencies = [(seen[n] - at) * 1000.0 for n, at in cam.persisted_by_number.items()
                 if n in seen and at > polling_from]
    missing = [n for n, at in cam.persisted_by_number.items() if n not in seen and at > polling_from]
    return {"mode": "blocking reload (_HLS_msn)" if low_latency else f"poll every {poll_ms} ms",
            "latency_ms": stats(latencies), "unlisted": len(missing),
            "playlist_requests": requests, "errors": cam.errors[:5]}


# --- (b) segment throughput -------------------------------------------------------------------
async def fetch_all(port, paths, concurrency):
    """GETs every path once, `concurrency` connections pulling from one queue."""
    queue = list(paths)
    latencies, sizes, errors = [], [], []

    async def worker():
        http = Http(port)
        while queue:
            path = queue.pop()
            t0 = time.perf_counter()
            status, _, body = await http.request("GET", path)
            latencies.append((time.perf_counter() - t0) * 1000.0)
            if status == 200:
                sizes.append(len(body))
            else:
                errors.append(f"HTTP {status} {body[:120]!r}")
        http.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    return {"segments": len(sizes), "seconds": elapsed, "segments_per_s": len(sizes) / elapsed,
            "mb_per_s": sum(sizes) / 1e6 / elapsed, "mean_kb": sum(sizes) / 1e3 / max(1, len(sizes)),
            "latency_ms": stats(latencies), "errors": errors[:5], "error_count": len(errors)}


async def segment_paths(port, container, start, end):
    http = Http(port)
    media = await hls_session(http, "ON_DEMAND", container, start, end)
    status, _, body = await http.request("GET", media)
    http.close()
    if status != 200:
        raise RuntimeError(f"ON_DEMAND playlist: HTTP {status} {body[:300]!r}")
    return [path for _, path in parse_playlist(body.decode())[2]]


def restart(proc, workdir):
    """The same server command over the same data folder (segment cache empty); (proc, port)."""
    stop(proc)
    new = subprocess.Popen(proc.args, stdout=subprocess.PIPE,
                           stderr=open(workdir / "sluice.stderr", "ab"))
    m = re.search(r"http://127\.0\.0\.1:(\d+)", new.stdout.readline().decode())
    if not m:
        new.kill()
        raise RuntimeError("sluice did not print its listen line after a restart")
    threading.Thread(target=new.stdout.read, daemon=True).start()
    return new, int(m.group(1))


def throughput(proc, port, workdir, start, end, concurrencies, warm_rounds):
    rows = []
    for c in concurrencies:
        proc, port = restart(proc, workdir)  # cold: nothing remuxed yet (the OS page cache is warm)
        for container in ("FRAGMENTED_MP4", "MPEG_TS"):
            paths = asyncio.run(segment_paths(port, container, start, end))
            cold = asyncio.run(fetch_all(port, paths, c))
            warm = asyncio.run(fetch_all(port, paths * warm_rounds, c))
            for kind, r in (("cold", cold), ("warm", warm)):
                rows.append({"container": container, "concurrency": c, "kind": kind, **r})
                print_throughput([rows[-1]], header=len(rows) == 1)
    return proc, port, rows


# --- (c) concurrent viewers -------------------------------------------------------------------
class Viewer:
    """A player's requests: a LIVE session, the media playlist every second, the init segment
    once, then every segment not fetched yet (starting with the newest three, like hls.js)."""

    def __init__(self, port):
        self.http = Http(port)
        self.playlist_ms, self.segment_ms, self.errors = [], [], []
        self.segments = self.bytes = self.playlists = 0
        self.fetched = set()

    async def run(self, start, until):
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, start - loop.time()))
        try:
            media = await hls_session(self.http, "LIVE")
            init_done = False
            while loop.time() < until:
                due = loop.time() + 1.0
                t0 = time.perf_counter()
                status, _, body = await self.http.request("GET", media)
                self.playlist_ms.append((time.perf_counter() - t0) * 1000.0)
                self.playlists += 1
                if status != 200:
                    self.errors.append(f"playlist HTTP {status}")
                else:
                    _, init, segments = parse_playlist(body.decode())
                    todo = [s for s in segments if s[0] not in self.fetched]
                    if not self.fetched:
                        todo = todo[-3:]
                    if init and not init_done:
                        init_done = await self.fetch(init)
                    for number, path in todo:
                        if await self.fetch(path):
                            self.fetched.add(number)
                await asyncio.sleep(max(0.0, due - loop.time()))
        except (OSError, RuntimeError, ValueError) as e:
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            self.http.close()

    async def fetch(self, path):
        t0 = time.perf_counter()
        status, _, body = await self.http.request("GET", path)
        self.segment_ms.append((time.perf_counter() - t0) * 1000.0)
        if status != 200:
            self.errors.append(f"segment HTTP {status}")
            return False
        self.segments += 1
        self.bytes += len(body)
        return True


async def viewers_step(n, port, pid, header, clusters, seconds):
    loop = asyncio.get_running_loop()
    cam = TrackedCamera(STREAM, header, clusters)
    start = loop.time() + 0.5
    producer = asyncio.create_task(cam.run(port, start, seconds + 2))
    await asyncio.sleep(2.5)  # a fragment exists before the first LIVE session
    first = loop.time()
    until = first + seconds
    viewers = [Viewer(port) for _ in range(n)]
    tasks = [asyncio.create_task(v.run(first + random.random(), until)) for v in viewers]
    # Steady window: every viewer started and past its first catch-up fetches.
    await asyncio.sleep(3.0)
    t0, c0, client0, rss = loop.time(), cpu_ticks(pid), os.times(), 0.0
    while loop.time() < until - 1.0:
        await asyncio.sleep(0.5)
        rss = max(rss, mem_mib(pid)["VmRSS"])
    t1, c1, client1 = loop.time(), cpu_ticks(pid), os.times()
    await asyncio.gather(*tasks)
    await producer
    window = t1 - t0
    playlist_ms = [x for v in viewers for x in v.playlist_ms]
    segment_ms = [x for v in viewers for x in v.segment_ms]
    errors = [e for v in viewers for e in v.errors] + cam.errors
    return {
        "viewers": n, "server_cpu_pct": 100.0 * (c1 - c0) / TICKS / window, "rss_mib": rss,
        "hwm_mib": mem_mib(pid)["VmHWM"],
        "client_cpu_pct": 100.0 * (client1.user + client1.system - client0.user -
                                   client0.system) / window,
        "playlists_per_s": sum(v.playlists for v in viewers) / seconds,
        "segments_per_s": sum(v.segments for v in viewers) / seconds,
        "mb_per_s": sum(v.bytes for v in viewers) / 1e6 / seconds,
        "playlist_ms": stats(playlist_ms), "segment_ms": stats(segment_ms),
        "fragments_persisted": len(cam.persisted_by_number),
        "error_count": len(errors), "errors": errors[:5],
    }


# --- (d) hls.js in Chromium -------------------------------------------------------------------
def browser_delay(port, header, clusters, low_latency, watch_s):
    """Now minus the wall-clock time (EXT-X-PROGRAM-DATE-TIME, server time) of the frame on
    screen, sampled every 0.5 s in hls.js while a camera streams."""
    async def run():
        loop = asyncio.get_running_loop()
        cam = TrackedCamera(STREAM, header, clusters)
        producer = asyncio.create_task(cam.run(port, loop.time() + 0.2, len(clusters)))
        await asyncio.sleep(2.0)
        url = (f"http://127.0.0.1:{port}/player/?stream={STREAM}&mode=LIVE"
               + ("&low_latency=1" if low_latency else ""))
        cmd = ["node", str(PLAY_SCRIPT), "--url", url, "--until", "playing", "--timeout", "60",
               "--watch", str(watch_s)]
        proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        await producer
        lines = [x for x in out.decode().splitlines() if x.startswith("{")]
        if not lines:
            return {"error": f"play.mjs printed nothing: {err.decode()[-500:]}"}
        result = json.loads(lines[-1])
        if not result["ok"]:
            return {"error": result["reason"]}
        watched = result["samples"][-2 * watch_s:]
        delays = [s["at"] - s["programDateTime"] for s in watched if s.get("programDateTime")]
        stalled = sum(1 for s in watched if s["state"] == "buffering")
        return {"mode": "LL-HLS" if low_latency else "LIVE", "delay_ms": stats(delays),
                "stalled_samples": stalled, "samples": len(watched),
                "timeline": [(s["at"], s["state"], s["currentTime"], s.get("programDateTime"))
                             for s in result["samples"]]}
    return asyncio.run(run())


# --- output -----------------------------------------------------------------------------------
def print_throughput(rows, header=True):
    if header:
        print("| container | conc. | pass | segments | seg/s | MB/s | mean KB | p50 ms | p99 ms "
              "| errors |")
        print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['container']} | {r['concurrency']} | {r['kind']} | {r['segments']} | "
              f"{r['segments_per_s']:.0f} | {r['mb_per_s']:.1f} | {r['mean_kb']:.0f} | "
              f"{r['latency_ms']['p50']:.1f} | {r['latency_ms']['p99']:.1f} | "
              f"{r['error_count']} |")


def print_viewers(rows, baseline, header=True):
    if header:
        print("| viewers | srv CPU % | CPU %/viewer | RSS MiB | playlists/s | seg/s | MB/s "
              "| playlist p50/p99 ms | segment p50/p99 ms | client CPU % | errors |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        per = ((r["server_cpu_pct"] - baseline) / r["viewers"]) if r["viewers"] else float("nan")
        print(f"| {r['viewers']} | {r['server_cpu_pct']:.1f} | {per:.2f} | {r['rss_mib']:.0f} | "
              f"{r['playlists_per_s']:.0f} | {r['segments_per_s']:.0f} | {r['mb_per_s']:.1f} | "
              f"{r['playlist_ms']['p50']:.1f}/{r['playlist_ms']['p99']:.1f} | "
              f"{r['segment_ms']['p50']:.1f}/{r['segment_ms']['p99']:.1f} | "
              f"{r['client_cpu_pct']:.0f} | {r['error_count']} |")


def print_latency(r):
    s = r["latency_ms"]
    print(f"live latency, {r['mode']}: n={s['n']} p50 {s['p50']:.1f} ms, p90 {s['p90']:.1f} ms, "
          f"p99 {s['p99']:.1f} ms, max {s['max']:.1f} ms; {r['unlisted']} never listed, "
          f"{r['playlist_requests']} playlist requests")


# --- main -------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description="HLS playback benchmark against one Sluice server.")
    ap.add_argument("--sluice", default=str(ROOT / "build" / "sluice"))
    ap.add_argument("--only", default="a,b,c,d", help="phases to run: a,b,c,d")
    ap.add_argument("--latency-seconds", type=int, default=30, help="fragments per latency run")
    ap.add_argument("--poll-ms", type=int, default=10, help="(a) playlist polling interval")
    ap.add_argument("--concurrency", default="1,4,16", help="(b) connections per pass")
    ap.add_argument("--warm-rounds", type=int, default=3, help="(b) warm passes over the list")
    ap.add_argument("--viewers", default="0,1,10,50,100", help="(c) viewer counts (0: camera only)")
    ap.add_argument("--viewer-seconds", type=int, default=15, help="(c) seconds per step")
    ap.add_argument("--watch-seconds", type=int, default=20, help="(d) seconds sampled in hls.js")
    args = ap.parse_args()
    phases = set(args.only.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="playback-bench-", dir=OUT))
    seconds = max(args.latency_seconds, args.viewer_seconds + 4, args.watch_seconds + 17) + 2
    header, clusters = split_mkv(make_media(workdir, seconds))
    sizes = [len(c) for _, c in clusters]
    print(f"media: {len(clusters)} clusters (1 s, 640x360 H.264) of {min(sizes) // 1024}-"
          f"{max(sizes) // 1024} KiB")
    results = {}
    proc, port = start_sluice(args.sluice, workdir)
    began = time.time()
    try:
        create_stream(port, STREAM)
        if "a" in phases:
            results["latency"] = []
            for low_latency in (False, True):
                r = asyncio.run(live_latency(port, header, clusters[:args.latency_seconds],
                                             low_latency, args.poll_ms))
                results["latency"].append(r)
                print_latency(r)
        if "c" in phases:
            results["viewers"] = []
            for n in [int(x) for x in args.viewers.split(",")]:
                r = asyncio.run(viewers_step(n, port, proc.pid, header, clusters,
                                             args.viewer_seconds))
                results["viewers"].append(r)
                baseline = results["viewers"][0]["server_cpu_pct"] \
                    if results["viewers"][0]["viewers"] == 0 else 0.0
                print_viewers([r], baseline, header=len(results["viewers"]) == 1)
        if "d" in phases:
            if CHROMIUM.exists() and shutil.which("node") and PLAY_SCRIPT.exists():
                results["browser"] = [
                    browser_delay(port, header, clusters[:args.watch_seconds + 17], ll,
                                  args.watch_seconds) for ll in (False, True)]
                for r in results["browser"]:
                    if "error" in r:
                        print(f"hls.js delay: {r['error']}")
                    else:
                        s = r["delay_ms"]
                        print(f"hls.js playhead behind server time, {r['mode']}: n={s['n']} "
                              f"p50 {s['p50']:.0f} ms, p90 {s['p90']:.0f} ms, max {s['max']:.0f} ms; "
                              f"buffering in {r['stalled_samples']} of {r['samples']} samples")
            else:
                print("(d) skipped: needs /usr/bin/chromium, node and tests/e2e/browser/play.mjs")
        if "b" in phases:
            if "a" not in phases and "c" not in phases:  # something to serve
                asyncio.run(Camera(STREAM, header, clusters).run(port, 0, 20))
            start, end = began - 5, time.time() - 1
            proc, port, results["throughput"] = throughput(
                proc, port, workdir, start, end,
                [int(x) for x in args.concurrency.split(",")], args.warm_rounds)
    finally:
        stop(proc)
    (OUT / "playback_bench.json").write_text(json.dumps(results, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
