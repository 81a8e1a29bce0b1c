#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Face detection (`sluice consume face-detect` against a real server on loopback), on a 720p
# 30 fps H.264 video of Debian's Grace Hopper photo with temporal noise (so that every frame
# costs a real decode): (a) analysis cost per core: every frame analysed by a consumer pinned to
# one core, Haar detection and decoding timed apart; (b) catch-up over a stored backlog at
# the default 2 fps sampling: fragments/s and frames/s; (c) latency from a fragment's PERSISTED
# ack to its first detection record being readable, with the video streamed in real time.
# Prints a table; writes bench/out/face_detect_bench.json.
import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench_support import start_sluice

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PHOTO = Path("/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg")
FPS = 30


def make_video(folder, seconds):
    """1280x720, 30 fps, one key frame (one fragment) per second, about 3 Mbit/s."""
    path = Path(folder) / f"face720-{seconds}.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-loop", "1", "-framerate", str(FPS),
                    "-i", str(PHOTO),
                    "-vf", "scale=-2:720,pad=1280:720:(ow-iw)/2:0,noise=alls=12:allf=t",
                    "-t", str(seconds), "-r", str(FPS), "-c:v", "libx264", "-preset", "veryfast",
                    "-b:v", "3M", "-maxrate", "3M", "-bufsize", "1500k", "-g", str(FPS),
                    "-keyint_min", str(FPS), "-pix_fmt", "yuv420p", "-f", "matroska", str(path)],
                   check=True, timeout=600)
    return path


def kinesis(port, operation, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/x-amz-json-1.1")
    req.add_header("X-Amz-Target", "Kinesis_20131202." + operation)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def create_video_stream(port, name):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/createStream", method="POST",
                                 data=json.dumps({"StreamName": name,
                                                  "DataRetentionInHours": 24}).encode())
    req.add_header("Content-Type", "application/json")
    urllib.request.urlopen(req, timeout=30).read()


def put_media(binary, port, stream, path, fast):
    return subprocess.Popen([str(binary), "put-media", "--endpoint", f"http://127.0.0.1:{port}",
                             "--stream", stream, *(["--fast"] if fast else []), str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


class Consumer:
    def __init__(self, binary, port, workdir, stream, *args, one_core=False):
        self.log = Path(workdir) / f"consume-{stream}.stderr"
        self.started = time.time()
        # OpenCV's TBB pool ignores OPENCV_FOR_THREADS_NUM here: pinning is what keeps the whole
        # process on one core.
        pin = ["taskset", "-c", "0"] if one_core and shutil.which("taskset") else []
        self.proc = subprocess.Popen(
            [*pin, str(binary), "consume", "face-detect", "--endpoint", f"http://127.0.0.1:{port}",
             "--stream", stream, *args], stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"),
            env=dict(os.environ, SLUICE_LOG_LEVEL="debug"))

    def lines(self, msg):
        return [l for l in self.log.read_text(errors="replace").splitlines()
                if f'msg="{msg}"' in l]

    def wait_analysed(self, n, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.lines("fragment analysed")) < n:
            time.sleep(0.1)
        return len(self.lines("fragment analysed"))

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        """SIGTERM; returns the fields of its final stats line."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        final = self.lines("face detection stopped")
        return dict(re.findall(r"(\w+)=(\d+)", final[-1])) if final else {}


def log_time(line):
    ts = re.search(r"ts=(\S+)Z", line).group(1)
    return time.mktime(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone + \
        float("0" + ts[19:])


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))] if s else float("nan")


def store(binary, port, stream, video):
    """put-media --fast; returns the number of fragments persisted."""
    p = put_media(binary, port, stream, video, fast=True)
    out, _ = p.communicate(timeout=600)
    assert p.returncode == 0
    return sum(1 for line in out.splitlines() if '"PERSISTED"' in line)


def bench_cost(binary, port, workdir, video):
    """Every frame analysed, the consumer pinned to one core."""
    fragments = store(binary, port, "cost", video)
    c = Consumer(binary, port, workdir, "cost", "--fps", "1000", one_core=True)
    done = c.wait_analysed(fragments, 1800)
    cpu = c.cpu_seconds()
    st = {k: int(v) for k, v in c.stop().items()}
    decode_s, detect_s = st["decode_ms"] / 1000, st["detect_ms"] / 1000
    return {"fragments": done, "frames_decoded": st["frames_decoded"],
            "frames_analysed": st["frames_analysed"], "process_cpu_s": round(cpu, 2),
            "decode_ms_per_frame": round(1000 * decode_s / st["frames_decoded"], 2),
            "detect_ms_per_frame": round(1000 * detect_s / st["frames_analysed"], 2),
            "haar_frames_per_s_per_core": round(st["frames_analysed"] / detect_s, 1),
            "decoded_frames_per_s_per_core": round(st["frames_decoded"] / decode_s, 1),
            "analysed_frames_per_s_per_core": round(st["frames_analysed"] / cpu, 1)}


def bench_catch_up(binary, port, workdir, video):
    """The default sampling (2 fps) over a stored backlog, OpenCV threads as it likes."""
    fragments = store(binary, port, "backlog", video)
    c = Consumer(binary, port, workdir, "backlog")
    done = c.wait_analysed(fragments, 1800)
    cpu = c.cpu_seconds()
    analysed = c.lines("fragment analysed")
    start = log_time(c.lines("resuming")[0])
    seconds = log_time(analysed[-1]) - start
    st = {k: int(v) for k, v in c.stop().items()}
    return {"fragments": done, "seconds": round(seconds, 2),
            "fragments_per_s": round(done / seconds, 1),
            "video_frames_per_s": round(st["frames_decoded"] / seconds, 1),
            "analysed_frames_per_s": round(st["frames_analysed"] / seconds, 1),
            "records": st["records_written"], "process_cpu_s": round(cpu, 2),
            "x_real_time": round(done / seconds, 1)}


def bench_latency(binary, port, workdir, video):
    """PERSISTED ack -> first detection record of that fragment visible through GetRecords."""
    create_video_stream(port, "live")
    c = Consumer(binary, port, workdir, "live")
    while not c.lines("resuming"):
        time.sleep(0.05)
    it = kinesis(port, "GetShardIterator", {"StreamName": "live-detections",
                                            "ShardId": "shardId-000000000000",
                                            "ShardIteratorType": "LATEST"})["ShardIterator"]
    persisted, seen = {}, {}
    producer = put_media(binary, port, "live", video, fast=False)

    def read_acks():
        for line in producer.stdout:
            t = time.time()
            ack = json.loads(line)
            if ack.get("EventType") == "PERSISTED":
                persisted[ack["FragmentNumber"]] = t

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    while producer.poll() is None or len(seen) < len(persisted):
        out = kinesis(port, "GetRecords", {"ShardIterator": it})
        t = time.time()
        for r in out["Records"]:
            rec = json.loads(base64.b64decode(r["Data"]))
            seen.setdefault(rec["fragment_number"], t)
        it = out["NextShardIterator"]
        if not out["Records"]:
            time.sleep(0.005)
        if producer.poll() is not None and not reader.is_alive() and \
                all(f in seen for f in persisted):
            break
    reader.join(10)
    c.stop()
    lat = [1000 * (seen[f] - persisted[f]) for f in persisted if f in seen]
    return {"fragments": len(persisted), "with_records": len(lat),
            "p50_ms": round(percentile(lat, 50), 1), "p99_ms": round(percentile(lat, 99), 1),
            "max_ms": round(max(lat), 1) if lat else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sluice", default=str(ROOT / "build" / "sluice"))
    ap.add_argument("--backlog-seconds", type=int, default=60)
    ap.add_argument("--latency-seconds", type=int, default=30)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="face-bench-", dir=OUT))
    backlog = make_video(workdir, args.backlog_seconds)
    live = make_video(workdir, args.latency_seconds)
    server, port = start_sluice(args.sluice, workdir)
    try:
        results = {"video": "1280x720 30 fps H.264 ~3 Mbit/s, 1 s fragments, Grace Hopper + noise",
                   "cores": os.cpu_count()}
        results["cost"] = bench_cost(args.sluice, port, workdir, backlog)
        results["catch_up"] = bench_catch_up(args.sluice, port, workdir, backlog)
        results["latency"] = bench_latency(args.sluice, port, workdir, live)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    (OUT / "face_detect_bench.json").write_text(json.dumps(results, indent=2))
    cost, up, lat = results["cost"], results["catch_up"], results["latency"]
    print(f"video: {results['video']}; {results['cores']} cores")
    print("analysis cost (every frame, consumer pinned to one core):")
    print(f"  Haar detect   {cost['detect_ms_per_frame']:7.2f} ms/frame "
          f"= {cost['haar_frames_per_s_per_core']} frames/s per core (at the 640 px working width)")
    print(f"  decode        {cost['decode_ms_per_frame']:7.2f} ms/frame "
          f"= {cost['decoded_frames_per_s_per_core']} frames/s per core (incl. BGR of each)")
    print(f"  whole process {cost['analysed_frames_per_s_per_core']} analysed frames/s per core "
          f"({cost['frames_analysed']} frames, {cost['process_cpu_s']} s CPU)")
    print(f"catch-up at 2 fps sampling: {up['fragments']} fragments in {up['seconds']} s = "
          f"{up['fragments_per_s']} fragments/s, {up['video_frames_per_s']} video frames/s, "
          f"{up['analysed_frames_per_s']} analysed frames/s ({up['x_real_time']}x real time)")
    print(f"PERSISTED -> detection record: p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms, "
          f"max {lat['max_ms']} ms over {lat['with_records']}/{lat['fragments']} fragments")


if __name__ == "__main__":
    main()
