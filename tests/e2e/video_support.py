# SPDX-License-Identifier: Apache-2.0
# Support for the Kinesis Video Streams suites: test media made with ffmpeg, a raw PutMedia client
# (chunked body sent paced from one thread while the acks are read on another, full duplex), the
# KVS boto3 clients (control plane, GetMedia, archived media) and ffprobe checks of MKV chunks.
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from support import ACCESS_KEY, REGION, SECRET_KEY

EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def need_tools():
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def make_media(folder, codec="h264", seconds=6, offset=0):
    """An MKV file: testsrc 320x240 at 25 fps, one key frame per second (one fragment each)."""
    need_tools()
    path = Path(folder) / f"{codec}-{seconds}-{offset}.mkv"
    if path.exists():
        return path
    enc = (["-c:v", "libx264", "-g", "25", "-keyint_min", "25"] if codec == "h264" else
           ["-c:v", "libx265", "-x265-params", "keyint=25:min-keyint=25:log-level=error"])
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
           f"testsrc=size=320x240:rate=25", "-t", str(seconds), *enc, "-pix_fmt", "yuv420p"]
    if offset:
        cmd += ["-output_ts_offset", str(offset)]
    subprocess.run(cmd + ["-f", "matroska", str(path)], check=True, timeout=120)
    return path


def probe_packets(path):
    """[(pts_ms, is_key)] of the video packets of an MKV file."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts_time,flags", "-of", "json", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [(round(float(p["pts_time"]) * 1000), "K" in p.get("flags", ""))
            for p in json.loads(out.stdout).get("packets", [])]


def decode_frames(path):
    """Number of video frames ffprobe decodes (fails on a broken file)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr
    return int(out.stdout.strip().split(",")[0])


def split_chunks(payload):
    """GetMedia output is one self-contained MKV per fragment: split at each EBML header."""
    starts = []
    at = payload.find(EBML_MAGIC)
    while at != -1:
        starts.append(at)
        at = payload.find(EBML_MAGIC, at + 1)
    return [payload[a:b] for a, b in zip(starts, starts[1:] + [len(payload)])]


def chunk_packets(folder, chunks):
    """Probes each chunk; returns all their video packets in order."""
    packets = []
    for i, chunk in enumerate(chunks):
        path = Path(folder) / f"chunk-{i}.mkv"
        path.write_bytes(chunk)
        packets += probe_packets(path)
    return packets


# --- clients ----------------------------------------------------------------------------------
def kvs_client(server, service="kinesisvideo", endpoint=None, read_timeout=30):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                 read_timeout=read_timeout)
    return boto3.session.Session().client(
        service, region_name=REGION, endpoint_url=endpoint or server.endpoint_url,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, config=cfg)


def create_video_stream(server, name, retention_hours=24):
    """Creates a video stream through POST /createStream; skips if the control plane is absent."""
    status, _, body = server.raw(None, {"StreamName": name, "DataRetentionInHours": retention_hours,
                                        "MediaType": "video/h264"},
                                 content_type="application/json", path="/createStream")
    if status == 404 and b"No route" in body:
        pytest.skip("the KVS control plane routes (POST /createStream) are not served")
    assert status == 200, body
    return json.loads(body)["StreamARN"]


def media_endpoint(server, name, api):
    return kvs_client(server).get_data_endpoint(StreamName=name, APIName=api)["DataEndpoint"]


class PutMedia:
    """One raw PutMedia request. send() paces the body from a thread; acks are collected as they
    arrive, each with its arrival time."""

    def __init__(self, port, headers):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        head = "POST /putMedia HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.sock.sendall(head.encode())
        self.status = None
        self.acks = []  # (monotonic time, dict)
        self.body_done_at = None
        self.error = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def send(self, data, chunk=8192, seconds=0.0, finish=True):
        """Sends `data` in chunks spread over about `seconds`, then the last chunk."""
        pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
        delay = seconds / max(1, len(pieces))
        try:
            for p in pieces:
                self.sock.sendall(b"%x\r\n" % len(p) + p + b"\r\n")
                if delay:
                    time.sleep(delay)
            self.body_done_at = time.monotonic()
            if finish:
                self.sock.sendall(b"0\r\n\r\n")
        except OSError as e:
            self.error = e
            self.body_done_at = time.monotonic()

    def send_async(self, data, **kw):
        t = threading.Thread(target=self.send, args=(data,), kwargs=kw, daemon=True)
        t.start()
        return t

    def wait(self, timeout=60):
        """Waits for the response to end; returns the acks (dicts)."""
        self._reader.join(timeout)
        assert not self._reader.is_alive(), f"PutMedia response did not end: {self.acks}"
        return [a for _, a in self.acks]

    def close(self):
        self.sock.close()

    def _read(self):
        f = self.sock.makefile("rb")
        try:
            self.status = int(f.readline().split()[1])
            while f.readline() not in (b"\r\n", b""):
                pass
            if self.status != 200:
                return
            pending = b""
            while True:
                size = int(f.readline().strip(), 16)
                if size == 0:
                    return
                pending += f.read(size)
                f.readline()
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        self.acks.append((time.monotonic(), json.loads(line)))
        except (OSError, ValueError) as e:
            self.error = e


def put_headers(name, start=None, timecode="ABSOLUTE"):
    return {"x-amzn-stream-name": name, "x-amzn-fragment-timecode-type": timecode,
            "x-amzn-producer-start-timestamp": start or f"{time.time():.3f}",
            "x-amzn-fragment-acknowledgment-required": "1"}


def of_type(acks, kind):
    return [a for a in acks if a.get("EventType") == kind]
