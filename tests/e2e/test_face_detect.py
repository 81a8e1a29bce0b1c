# SPDX-License-Identifier: Apache-2.0
# `sluice consume face-detect` against a live server: a video made from Debian's Grace Hopper
# photo gives detection records (boxes over the face) in `<stream>-detections` while it is being
# streamed; a test pattern gives none; a consumer SIGKILLed mid-stream and restarted writes no
# record_id twice and misses none (compared with an uninterrupted consumer on the same stream).
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from support import read_shard, shard_ids, sluice_bin
from video_support import create_video_stream, need_tools

FACE_PHOTO = Path("/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg")
RECORD_KEYS = {"stream", "fragment_number", "producer_timestamp", "server_timestamp",
               "frame_timestamp", "frame_pts_ns", "width", "height", "faces", "model",
               "record_id"}


def make_video(folder, kind, seconds):
    """640x480, 10 fps, a key frame (one fragment) per second: the face photo padded (not
    stretched), or ffmpeg's testsrc pattern."""
    need_tools()
    path = Path(folder) / f"{kind}-{seconds}.mkv"
    if path.exists():
        return path
    if kind == "face":
        if not FACE_PHOTO.exists():
            pytest.skip("python-matplotlib-data (grace_hopper.jpg) is not installed")
        source = ["-loop", "1", "-i", str(FACE_PHOTO), "-vf", "scale=-2:480,pad=640:480:(ow-iw)/2:0"]
    else:
        source = ["-f", "lavfi", "-i", "testsrc=size=640x480:rate=10"]
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *source, "-t", str(seconds),
                    "-r", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
                    "-keyint_min", "10", "-f", "matroska", str(path)], check=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("face-media")
    return {"face": make_video(folder, "face", 6), "face_long": make_video(folder, "face", 12),
            "pattern": make_video(folder, "pattern", 6)}


class Consumer:
    """One `sluice consume face-detect` process; stderr (debug log) kept in a file."""

    def __init__(self, server, log_dir, stream, *args):
        self.log = Path(log_dir) / f"consume-{stream}-{time.monotonic_ns()}.stderr"
        env = dict(os.environ, SLUICE_LOG_LEVEL="debug")
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(
                [str(sluice_bin()), "consume", "face-detect", "--endpoint", server.endpoint_url,
                 "--stream", stream, *args], stdout=subprocess.DEVNULL, stderr=err,
                stdin=subprocess.DEVNULL, env=env)

    def text(self):
        return self.log.read_text(errors="replace")

    def analysed(self):
        """How many fragments it reported done."""
        return self.text().count('msg="fragment analysed"')

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"consumer did not exit on SIGTERM: {self.text()[-2000:]}")
        return self.proc.returncode


@pytest.fixture
def consumers(server, tmp_path):
    started = []

    def start(stream, *args):
        c = Consumer(server, tmp_path, stream, *args)
        started.append(c)
        return c

    yield start
    codes = [(c.stop(), c) for c in started if c.proc.returncode is None]
    bad = [c.text()[-2000:] for code, c in codes if code != 0]
    assert not bad, f"a consumer did not exit 0 on SIGTERM: {bad}"


def put_media(server, stream, path, fast=False):
    cmd = [str(sluice_bin()), "put-media", "--endpoint", server.endpoint_url, "--stream", stream,
           *(["--fast"] if fast else []), str(path)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def detections(kinesis, stream):
    """(partition key, record) of every record in the output stream, in shard order."""
    out = []
    for sid in shard_ids(kinesis, stream):
        for r in read_shard(kinesis, stream, sid):
            out.append((r["PartitionKey"], json.loads(r["Data"])))
    return out


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stream_exists(kinesis, name):
    return name in kinesis.list_streams()["StreamNames"]


def assert_over_face(face):
    # In the padded 640x480 frame the face lies around x=236 y=84 w=181 h=181.
    assert abs(face["x"] + face["w"] / 2 - 326) < 60, face
    assert abs(face["y"] + face["h"] / 2 - 174) < 60, face
    assert 100 < face["w"] < 260, face


def test_face_video_gives_records_over_the_face_while_streaming(server, media, consumers):
    kinesis = server.client()
    create_video_stream(server, "face-live")
    consumer = consumers("face-live")
    wait_for(lambda: 'msg="resuming"' in consumer.text(), 30, "the consumer to start")
    producer = put_media(server, "face-live", media["face"])  # real time: 6 s
    wait_for(lambda: stream_exists(kinesis, "face-live-detections")
             and len(detections(kinesis, "face-live-detections")) >= 2, 60,
             "the first detection records")
    assert producer.poll() is None, "records arrive while the video is still being streamed"
    assert producer.wait(60) == 0, producer.stderr.read()
    wait_for(lambda: len(detections(kinesis, "face-live-detections")) == 12, 60,
             "12 records (6 fragments, 2 sampled frames each)")
    records = detections(kinesis, "face-live-detections")
    ids = [r["record_id"] for _, r in records]
    assert len(set(ids)) == len(ids)
    for key, r in records:
        assert key == "face-live"
        assert set(r) == RECORD_KEYS
        assert r["stream"] == "face-live"
        assert r["record_id"] == f'{r["fragment_number"]}:{r["frame_pts_ns"]}'
        assert (r["width"], r["height"]) == (640, 480)
        assert r["model"] == "haar:haarcascade_frontalface_default"
        assert r["server_timestamp"] >= r["producer_timestamp"] - 5000
        assert 0 <= r["frame_timestamp"] - r["producer_timestamp"] < 1000
        assert abs(r["frame_timestamp"] / 1000 - time.time()) < 300
        assert len(r["faces"]) == 1
        assert_over_face(r["faces"][0])


def test_test_pattern_gives_no_records(server, media, consumers):
    kinesis = server.client()
    assert put_media(server, "pattern", media["pattern"], fast=True).wait(60) == 0
    consumer = consumers("pattern")
    wait_for(lambda: consumer.analysed() >= 6, 60, "6 fragments analysed")
    assert stream_exists(kinesis, "pattern-detections")
    assert detections(kinesis, "pattern-detections") == []


def test_sigkill_mid_stream_and_restart_no_duplicate_no_gap(server, media, consumers):
    kinesis = server.client()
    create_video_stream(server, "crash")
    # An uninterrupted consumer writes the reference output of the same stream.
    reference = consumers("crash", "--output-stream", "crash-reference")
    victim = consumers("crash")
    producer = put_media(server, "crash", media["face_long"])  # real time: 12 s
    wait_for(lambda: stream_exists(kinesis, "crash-detections")
             and len(detections(kinesis, "crash-detections")) >= 5, 60, "some records")
    victim.kill9()
    assert producer.poll() is None, "killed mid-stream"
    before = len(detections(kinesis, "crash-detections"))
    assert 5 <= before < 24
    restarted = consumers("crash")
    assert producer.wait(60) == 0, producer.stderr.read()
    wait_for(lambda: len(detections(kinesis, "crash-reference")) == 24, 60,
             "the reference's 24 records")
    wait_for(lambda: len(detections(kinesis, "crash-detections")) >= 24, 60,
             "the restarted consumer to catch up")
    time.sleep(1.5)  # anything written twice would show up by now
    got = [r["record_id"] for _, r in detections(kinesis, "crash-detections")]
    want = [r["record_id"] for _, r in detections(kinesis, "crash-reference")]
    assert len(got) == len(set(got)), "duplicate record_id"
    assert got == want, "gap or reordering"
    assert 'msg="resuming"' in restarted.text()


def test_usage(server):
    run = lambda *a: subprocess.run([str(sluice_bin()), "consume", *a], capture_output=True,
                                    text=True, timeout=30)
    assert run("face-detect", "--help").returncode == 0
    assert run("face-detect").returncode == 2  # --stream is required
    assert run("face-detect", "--stream", "x", "--fps", "0").returncode == 2
    assert run("nonsense").returncode == 2
    bad_model = run("face-detect", "--endpoint", server.endpoint_url, "--stream", "x",
                    "--model", "/nonexistent/model.onnx")
    assert bad_model.returncode == 1 and "model" in bad_model.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_consumer_reconnects_when_the_server_comes_back(make_server, media, tmp_path):
    server = make_server(("--listen", f"127.0.0.1:{free_port()}"))  # same port after a restart
    create_video_stream(server, "comeback")
    consumer = Consumer(server, tmp_path, "comeback")
    try:
        assert put_media(server, "comeback", media["face"], fast=True).wait(60) == 0
        kinesis = server.client()
        wait_for(lambda: stream_exists(kinesis, "comeback-detections")
                 and len(detections(kinesis, "comeback-detections")) == 12, 60, "12 records")
        server.restart(kill9=True)
        wait_for(lambda: "consumer stopped; retrying" in consumer.text(), 30,
                 "the consumer to notice")
        assert put_media(server, "comeback", media["face"], fast=True).wait(60) == 0
        kinesis = server.client()
        wait_for(lambda: len(detections(kinesis, "comeback-detections")) >= 24, 90,
                 "12 more records after the restart")
        time.sleep(1.5)
        ids = [r["record_id"] for _, r in detections(kinesis, "comeback-detections")]
        assert len(ids) == 24 and len(set(ids)) == 24
    finally:
        assert consumer.stop() == 0, consumer.text()[-2000:]
