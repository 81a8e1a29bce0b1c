#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Concurrent cameras on loopback: N simulated cameras each push one H.264 MKV over PutMedia to their
# own video stream, paced in real time, and the script measures PERSISTED ack latency, server CPU
# and RSS, and the client's own pacing lag, for a ladder of N. Prints a table; writes
# bench/out/camera_bench.json.
import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_support import start_sluice

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CLUSTER_ID = b"\x1f\x43\xb6\x75"
SEGMENT_ID = b"\x18\x53\x80\x67"
CHUNKS_PER_CLUSTER = 4
P99_LIMIT_MS = 250.0
LAG_LIMIT_MS = 100.0  # client pacing lag p99 above this means the client, not the server, is late
TICKS = os.sysconf("SC_CLK_TCK")


# --- media ------------------------------------------------------------------------------------
def make_media(folder, seconds):
    """testsrc 640x360, 25 fps, one key frame (and one cluster) per second. Noise keeps x264 at
    its 2 Mbit/s cap; plain testsrc compresses to about 0.5 Mbit/s."""
    path = Path(folder) / "camera.mkv"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=size=640x360:rate=25", "-t", str(seconds),
           "-vf", "noise=alls=25:allf=t+u", "-c:v", "libx264",
           "-preset", "veryfast", "-b:v", "2M", "-maxrate", "2M", "-bufsize", "1M",
           "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
           "-cluster_time_limit", "1000", "-f", "matroska", str(path)]
    subprocess.run(cmd, check=True, timeout=300)
    return path.read_bytes()


def read_vint(buf, at, keep_marker):
    """An EBML variable-length integer at `at`: (value, length)."""
    first = buf[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    value = first if keep_marker else first & (0xFF >> length)
    for b in buf[at + 1:at + length]:
        value = (value << 8) | b
    return value, length


def split_mkv(data):
    """(header bytes with an unknown-size Segment, [(cluster timecode, cluster bytes)]). Walks the
    Segment's children, so a cluster id inside frame data cannot cause a false split."""
    seg = data.find(SEGMENT_ID)
    _, size_len = read_vint(data, seg + 4, False)
    children = seg + 4 + size_len
    unknown = bytes([0x80 >> (size_len - 1) | (0xFF >> size_len)]) + b"\xff" * (size_len - 1)
    header, clusters, at = None, [], children
    while at < len(data):
        elem_id, id_len = read_vint(data, at, True)
        size, sl = read_vint(data, at + id_len, False)
        end = at + id_len + sl + size
        if data[at:at + 4] == CLUSTER_ID:
            if header is None:
                header = data[:seg + 4] + unknown + data[children:at]
            clusters.append((cluster_timecode(data[at + id_len + sl:end]), data[at:end]))
        at = end
    return header, clusters


def cluster_timecode(body):
    at = 0
    while at < len(body):
        elem_id, id_len = read_vint(body, at, True)
        size, sl = read_vint(body, at + id_len, False)
        if elem_id == 0xE7:
            return int.from_bytes(body[at + id_len + sl:at + id_len + sl + size], "big")
        at += id_len + sl + size
    raise ValueError("cluster without a Timecode")


# --- server -----------------------------------------------------------------------------------


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def create_stream(port, name):
    body = json.dumps({"StreamName": name, "DataRetentionInHours": 24,
                       "MediaType": "video/h264"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/createStream", data=body,
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"createStream {name}: HTTP {e.code} {e.read()[:200]!r}") from e


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)


def mem_mib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    return out


# --- one camera -------------------------------------------------------------------------------
class Camera:
    def __init__(self, name, header, clusters):
        self.name, self.header, self.clusters = name, header, clusters
        self.sent_at = {}       # FragmentTimecode -> monotonic time its last byte was written
        self.persisted_at = {}  # FragmentTimecode -> monotonic time of its PERSISTED ack
        self.lags = []          # seconds each write started after its scheduled time
        self.errors = []
        self.status = None

    async def run(self, port, start, count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = ("POST /putMedia HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                f"x-amzn-stream-name: {self.name}\r\nx-amzn-fragment-timecode-type: RELATIVE\r\n"
                f"x-amzn-producer-start-timestamp: {time.time():.3f}\r\n"
                "x-amzn-fragment-acknowledgment-required: 1\r\n\r\n")
        writer.write(head.encode() + self._chunk(self.header))
        acks = asyncio.create_task(self._read_acks(reader))
        try:
            await self._send(writer, start, count)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            await asyncio.wait_for(acks, timeout=5)
        except (OSError, ValueError, asyncio.TimeoutError) as e:
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            acks.cancel()
            writer.close()

    @staticmethod
    def _chunk(data):
        return b"%x\r\n" % len(data) + data + b"\r\n"

    async def _send(self, writer, start, count):
        loop = asyncio.get_running_loop()
        for k in range(count):
            timecode, cluster = self.clusters[k]
            step = -(-len(cluster) // CHUNKS_PER_CLUSTER)
            for j in range(CHUNKS_PER_CLUSTER):
                due = start + k + (j + 1) / CHUNKS_PER_CLUSTER
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.lags.append(max(0.0, loop.time() - due))
                writer.write(self._chunk(cluster[j * step:(j + 1) * step]))
                await writer.drain()
            self.sent_at[timecode] = loop.time()

    async def _read_acks(self, reader):
        loop = asyncio.get_running_loop()
        status_line = await reader.readline()
        self.status = int(status_line.split()[1])
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        if self.status != 200:
            self.errors.append(f"HTTP {self.status}: {(await reader.read(300))!r}")
            return
        pending = b""
        while True:
            size_line = await reader.readline()
            if not size_line or int(size_line.strip() or b"0", 16) == 0:
                return
            pending += (await reader.readexactly(int(size_line.strip(), 16) + 2))[:-2]
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip():
                    self._on_ack(json.loads(line), loop.time())

    def _on_ack(self, ack, now):
        kind = ack.get("EventType")
        if kind == "PERSISTED":
            self.persisted_at.setdefault(ack.get("FragmentTimecode"), now)
        elif kind == "ERROR":
            self.errors.append(f"{ack.get('ErrorCode')} ({ack.get('ErrorId')})")


# --- one step of the ladder -------------------------------------------------------------------
def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


async def sample_server(pid, start, seconds, out):
    """CPU ticks over [start+2, start+seconds-1] (the steady window) and the largest VmRSS seen."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start + 2 - loop.time()))
    t0, c0, rss = loop.time(), cpu_ticks(pid), 0.0
    while loop.time() < start + seconds - 1:
        await asyncio.sleep(0.5)
        rss = max(rss, mem_mib(pid)["VmRSS"])
    t1, c1 = loop.time(), cpu_ticks(pid)
    out.update(cpu_pct=100.0 * (c1 - c0) / TICKS / (t1 - t0), rss_mib=rss)


async def run_step(n, port, pid, header, clusters, seconds):
    cams = [Camera(f"cam-{i}", header, clusters) for i in range(n)]
    loop = asyncio.get_running_loop()
    start = loop.time() + 1.0
    server = {}
    client0 = os.times()
    t0 = loop.time()
    await asyncio.gather(
        sample_server(pid, start, seconds, server),
        *(cam.run(port, start + random.random(), seconds) for cam in cams))
    client1 = os.times()
    latencies, lags, errors, statuses = [], [], [], {}
    for cam in cams:
        for tc, at in cam.persisted_at.items():
            if tc in cam.sent_at:
                latencies.append((at - cam.sent_at[tc]) * 1000.0)
        lags += [x * 1000.0 for x in cam.lags]
        errors += cam.errors
        statuses[cam.status] = statuses.get(cam.status, 0) + 1
    client_cpu = (client1.user + client1.system - client0.user - client0.system)
    return {
        "cameras": n, "fragments_sent": sum(len(c.sent_at) for c in cams),
        "fragments_persisted": len(latencies),
        "ack_p50_ms": percentile(latencies, 50), "ack_p99_ms": percentile(latencies, 99),
        "ack_max_ms": max(latencies) if latencies else float("nan"),
        "server_cpu_pct": server["cpu_pct"], "server_cpu_pct_per_stream": server["cpu_pct"] / n,
        "rss_mib": server["rss_mib"], "hwm_mib": mem_mib(pid)["VmHWM"],
        "client_lag_p99_ms": percentile(lags, 99), "client_lag_max_ms": max(lags),
        "client_cpu_pct": 100.0 * client_cpu / (loop.time() - t0),
        "http_status": {str(k): v for k, v in statuses.items()}, "errors": errors[:20],
        "error_count": len(errors),
    }


# --- main -------------------------------------------------------------------------------------
def print_table(rows, header=True):
    cols = ["N", "persisted/sent", "ack p50 ms", "ack p99 ms", "ack max ms", "srv CPU %",
            "CPU %/stream", "RSS MiB", "HWM MiB", "client lag p99 ms", "client CPU %", "errors"]
    if header:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    for r in rows:
        print(f"| {r['cameras']} | {r['fragments_persisted']}/{r['fragments_sent']} | "
              f"{r['ack_p50_ms']:.1f} | {r['ack_p99_ms']:.1f} | {r['ack_max_ms']:.1f} | "
              f"{r['server_cpu_pct']:.0f} | {r['server_cpu_pct_per_stream']:.2f} | "
              f"{r['rss_mib']:.0f} | {r['hwm_mib']:.0f} | {r['client_lag_p99_ms']:.1f} | "
              f"{r['client_cpu_pct']:.0f} | {r['error_count']} |")


def stop_reason(r):
    if r["fragments_persisted"] < r["fragments_sent"]:
        return f"server: {r['fragments_sent'] - r['fragments_persisted']} fragments not persisted"
    if r["ack_p99_ms"] > P99_LIMIT_MS:
        return f"server: ack p99 {r['ack_p99_ms']:.0f} ms > {P99_LIMIT_MS:.0f} ms"
    if r["client_lag_p99_ms"] > LAG_LIMIT_MS:
        return (f"client: pacing lag p99 {r['client_lag_p99_ms']:.0f} ms > {LAG_LIMIT_MS:.0f} ms "
                "(the Python client, not the server, fell behind)")
    return None


def main():
    ap = argparse.ArgumentParser(
        description="Concurrent simulated cameras pushing PutMedia to one Sluice server.")
    ap.add_argument("--sluice", default=str(ROOT / "build" / "sluice"))
    ap.add_argument("--ladder", default="10,25,50,100,200", help="camera counts, in order")
    ap.add_argument("--seconds", type=int, default=16, help="fragments (seconds) per camera")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="camera-bench-", dir=OUT))
    header, clusters = split_mkv(make_media(workdir, args.seconds + 2))
    clusters = clusters[:args.seconds]
    sizes = [len(c) for _, c in clusters]
    print(f"media: {len(clusters)} clusters of {min(sizes) // 1024}-{max(sizes) // 1024} KiB "
          f"({8 * sum(sizes) / len(sizes) / 1e6:.2f} Mbit/s), header {len(header)} bytes")
    proc, port = start_sluice(args.sluice, workdir)
    rows, reason, created = [], None, 0
    try:
        for n in [int(x) for x in args.ladder.split(",")]:
            # Streams are reused from step to step: a new PutMedia starts a new producer session.
            for i in range(created, n):
                create_stream(port, f"cam-{i}")
            created = max(created, n)
            r = asyncio.run(run_step(n, port, proc.pid, header, clusters, len(clusters)))
            rows.append(r)
            print_table([r], header=not rows[:-1])
            reason = stop_reason(r)
            if reason:
                print(f"stopping the ladder at N={n}: {reason}")
                break
    finally:
        stop(proc)
    print()
    print_table(rows)
    ok = [r["cameras"] for r in rows if stop_reason(r) is None]
    print(f"largest N with ack p99 < {P99_LIMIT_MS:.0f} ms, all persisted and client on pace: "
          f"{max(ok) if ok else 'none'}" + (f"; stopped because {reason}" if reason else ""))
    (OUT / "camera_bench.json").write_text(json.dumps({"rows": rows, "stop": reason}, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
