#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Kinesis PutRecords/GetRecords comparison on loopback: Sluice (fsync on, data on disk), kinesalite
# (in memory) and moto's server (in memory), one at a time, under the same load. Throughput comes
# from wrk with bench/putrecords.lua; PutRecord latency, put->GetRecords visibility and peak RSS
# are measured here. Prints a table with Sluice/peer ratios and writes bench/out/kinesis_compare.json.
import argparse
import base64
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import bench_support

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "putrecords.lua"
KINESALITE_CLI = ROOT / "bench" / ".npm" / "node_modules" / "kinesalite" / "cli.js"
SHARDS = 4
# Request shapes: 500 x 1 KiB, and 64 KiB records as many as fit under the 5 MiB PutRecords cap.
PAYLOADS = {"1KiB": (500, 1024), "64KiB": (75, 64 * 1024)}
AUTH = {"X-Amz-Date": "20240101T000000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/kinesis/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64}


class Kinesis:
    """A minimal JSON 1.1 client on one persistent connection (no SDK overhead in the timings)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op, body):
        headers = {"Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Target": "Kinesis_20131202." + op, **AUTH}
        self.conn.request("POST", "/", json.dumps(body), headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{op}: HTTP {resp.status} {payload[:200]!r}")
        return json.loads(payload) if payload else {}

    def close(self):
        self.conn.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} while starting")
        try:
            k = Kinesis(port)
            k.call("ListStreams", {})
            k.close()
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError("server did not answer ListStreams in time")


# --- the servers under test -------------------------------------------------------------------
def start_sluice(binary, workdir):
    proc, port = bench_support.start_sluice(binary, workdir)
    wait_ready(port, proc)
    return proc, port, "fsync=always, data on disk"


def start_kinesalite(workdir):
    port = free_port()
    proc = subprocess.Popen(["node", str(KINESALITE_CLI), "--port", str(port),
                             "--createStreamMs", "0", "--deleteStreamMs", "0",
                             "--updateStreamMs", "0", "--shardLimit", "1000"],
                            stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "kinesalite.stderr", "wb"))
    wait_ready(port, proc)
    return proc, port, "in memory"


def moto_command():
    found = shutil.which("moto_server")
    if found and "/shims/" in found and shutil.which("pyenv"):
        out = subprocess.run(["pyenv", "which", "moto_server"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            found = out.stdout.strip()  # the real script, so the PID is the server itself
    return found


def start_moto(workdir):
    port = free_port()
    proc = subprocess.Popen([moto_command(), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=open(workdir / "moto.stderr", "wb"))
    wait_ready(port, proc)
    return proc, port, "in memory"


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


# --- measurements -----------------------------------------------------------------------------
def create_stream(port, name, shards):
    k = Kinesis(port)
    k.call("CreateStream", {"StreamName": name, "ShardCount": shards})
    for _ in range(200):
        d = k.call("DescribeStream", {"StreamName": name})["StreamDescription"]
        if d["StreamStatus"] == "ACTIVE":
            k.close()
            return [s["ShardId"] for s in d["Shards"]]
        time.sleep(0.05)
    raise RuntimeError(f"stream {name} never became ACTIVE")


def build_bodies(workdir):
    paths = {}
    for label, (count, size) in PAYLOADS.items():
        records = [{"Data": base64.b64encode(os.urandom(size)).decode(),
                    "PartitionKey": f"pk-{i:05d}"} for i in range(count)]
        path = workdir / f"putrecords-{label}.json"
        path.write_text(json.dumps({"StreamName": "bench", "Records": records}))
        paths[label] = path
    return paths


def run_wrk(port, body_path, count, size, seconds):
    env = dict(os.environ, BENCH_BODY=str(body_path))
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s", "-s", str(LUA),
           f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 120)
    m = re.search(r"BENCH (.*)", out.stdout)
    if not m:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    v = {k: int(x) for k, x in (kv.split("=") for kv in m.group(1).split())}
    secs = v["duration_us"] / 1e6
    records = v["ok_responses"] * count - v["failed_records"]
    return {"records_per_s": records / secs, "mib_per_s": records * size / secs / 2**20,
            "requests_ok": v["ok_responses"], "requests_bad": v["bad_responses"],
            "socket_errors": v["socket_errors"], "failed_records": v["failed_records"],
            "request_p50_ms": v["latency_p50_us"] / 1000, "request_p99_ms":
            v["latency_p99_us"] / 1000}


def percentile(samples, q):
    s = sorted(samples)
    return s[max(0, math.ceil(q * len(s)) - 1)] if s else float("nan")  # nearest rank


def put_record_latency(port, seconds, max_count=2000):
    k = Kinesis(port)
    data = base64.b64encode(os.urandom(1024)).decode()
    samples, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline and len(samples) < max_count:
        t0 = time.perf_counter()
        k.call("PutRecord", {"StreamName": "bench", "Data": data,
                             "PartitionKey": f"lat-{len(samples)}"})
        samples.append((time.perf_counter() - t0) * 1000)
    k.close()
    return {"put_p50_ms": percentile(samples, 0.50), "put_p99_ms": percentile(samples, 0.99),
            "put_samples": len(samples)}


def visibility(port, seconds, interval_s=0.02):
    """A writer puts timestamped records; a reader polls GetRecords from LATEST, sleeping 10 ms
    after each empty poll, as a consumer would. Delay = first seen - put start."""
    shard = create_stream(port, "visibility", 1)[0]
    reader = Kinesis(port)
    it = reader.call("GetShardIterator", {"StreamName": "visibility", "ShardId": shard,
                                          "ShardIteratorType": "LATEST"})["ShardIterator"]
    stop, delays = threading.Event(), []

    def write():
        w = Kinesis(port)
        while not stop.is_set():
            stamp = str(time.perf_counter_ns()).encode()
            w.call("PutRecord", {"StreamName": "visibility", "PartitionKey": "v",
                                 "Data": base64.b64encode(stamp).decode()})
            time.sleep(interval_s)
        w.close()

    t = threading.Thread(target=write)
    t.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = reader.call("GetRecords", {"ShardIterator": it})
        now = time.perf_counter_ns()
        for r in out["Records"]:
            delays.append((now - int(base64.b64decode(r["Data"]))) / 1e6)
        it = out["NextShardIterator"]
        if not out["Records"]:
            time.sleep(0.010)
    stop.set()
    t.join()
    reader.close()
    return {"visible_p50_ms": percentile(delays, 0.50), "visible_p99_ms": percentile(delays, 0.99),
            "visible_samples": len(delays)}


def bench_one(name, starter, bodies, args, workdir):
    print(f"== {name}", flush=True)
    proc, port, mode = starter()
    try:
        create_stream(port, "bench", SHARDS)
        result = {"mode": mode}
        for label, (count, size) in PAYLOADS.items():
            r = run_wrk(port, bodies[label], count, size, args.seconds)
            print(f"   PutRecords {count} x {label}: {r['records_per_s']:.0f} records/s, "
                  f"{r['mib_per_s']:.1f} MiB/s (bad responses {r['requests_bad']}, "
                  f"failed records {r['failed_records']})", flush=True)
            result[label] = r
        result.update(put_record_latency(port, args.latency_seconds))
        result.update(visibility(port, args.latency_seconds))
        result["peak_rss_mib"] = peak_rss_mib(proc.pid)
        return result
    finally:
        stop(proc)


ROWS = [("PutRecords 500 x 1 KiB, records/s", lambda r: r["1KiB"]["records_per_s"], "{:,.0f}"),
        ("PutRecords 500 x 1 KiB, MiB/s", lambda r: r["1KiB"]["mib_per_s"], "{:.1f}"),
        ("PutRecords 75 x 64 KiB, records/s", lambda r: r["64KiB"]["records_per_s"], "{:,.0f}"),
        ("PutRecords 75 x 64 KiB, MiB/s", lambda r: r["64KiB"]["mib_per_s"], "{:.1f}"),
        ("PutRecord latency p50, ms (lower is better)", lambda r: r["put_p50_ms"], "{:.2f}"),
        ("PutRecord latency p99, ms (lower is better)", lambda r: r["put_p99_ms"], "{:.2f}"),
        ("put -> GetRecords visible p50, ms (lower is better)", lambda r: r["visible_p50_ms"], "{:.1f}"),
        ("put -> GetRecords visible p99, ms (lower is better)", lambda r: r["visible_p99_ms"], "{:.1f}"),
        ("server peak RSS (VmHWM), MiB (lower is better)", lambda r: r["peak_rss_mib"], "{:.0f}")]


def table(results):
    names = list(results)
    peers = [n for n in names if n != "sluice"]
    head = ["metric"] + names + [f"sluice/{p}" for p in peers if "sluice" in results]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, get, fmt in ROWS:
        cells = [label] + [fmt.format(get(results[n])) for n in names]
        if "sluice" in results:
            for p in peers:
                peer = get(results[p])
                cells.append(f"{get(results['sluice']) / peer:.2f}x" if peer else "n/a")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sluice", default=str(ROOT / "build" / "sluice"), help="sluice binary")
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration per payload shape")
    ap.add_argument("--latency-seconds", type=float, default=5.0)
    ap.add_argument("--only", default="sluice,kinesalite,moto", help="comma-separated targets")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (scripts/install-deps.sh installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kinesis-compare-", dir=OUT))
    bodies = build_bodies(workdir)
    targets = {"sluice": lambda: start_sluice(args.sluice, workdir),
               "kinesalite": lambda: start_kinesalite(workdir),
               "moto": lambda: start_moto(workdir)}
    results, skipped = {}, {}
    for name in args.only.split(","):
        if name == "kinesalite" and not KINESALITE_CLI.exists():
            skipped[name] = "not installed (bench/run-all.sh installs it with npm)"
        elif name == "moto" and not moto_command():
            skipped[name] = "moto_server is not on PATH"
        else:
            results[name] = bench_one(name, targets[name], bodies, args, workdir)
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    print()
    print(f"wrk -t2 -c8 -d{args.seconds}s, {SHARDS} shards, loopback, {os.cpu_count()} cores "
          f"(load average {os.getloadavg()[0]:.1f} at the end); latency and visibility over "
          f"{args.latency_seconds:.0f} s each, one connection")
    print(table(results))
    (OUT / "kinesis_compare.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "results": results, "skipped": skipped},
        indent=2))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
