# SPDX-License-Identifier: Apache-2.0
# `sluice put-media` against a live server: an ffmpeg-made file (real time and --fast, H.264 and
# H.265), stdin, the GStreamer test source, acks printed as they arrive, exit codes on errors.
import json
import subprocess
import time

import pytest

from support import sluice_bin
from video_support import make_media, media_endpoint, kvs_client


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    return {"h264": make_media(folder, "h264", seconds=4),
            "h265": make_media(folder, "h265", seconds=3)}


def put_media(server, *args, stdin=None, timeout=60):
    cmd = [str(sluice_bin()), "put-media", "--endpoint", server.endpoint_url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=stdin)


def acks(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def persisted(lines):
    return [a for a in lines if a["EventType"] == "PERSISTED"]


def listed(server, name):
    endpoint = media_endpoint(server, name, "LIST_FRAGMENTS")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    r = archived.list_fragments(StreamName=name, FragmentSelector={
        "FragmentSelectorType": "SERVER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": 0, "EndTimestamp": time.time() + 60}})
    return r["Fragments"]


def test_file_in_real_time_creates_the_stream_and_prints_acks(server, media):
    t0 = time.monotonic()
    r = put_media(server, "--stream", "cli-file", str(media["h264"]))
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    lines = acks(r.stdout)
    assert [a["FragmentTimecode"] for a in persisted(lines)] == [0, 1000, 2000, 3000]
    assert all(a["FragmentNumber"] for a in persisted(lines))
    assert "created video stream cli-file" in r.stderr
    assert elapsed >= 2.5, "paced by cluster timecodes"
    fragments = listed(server, "cli-file")
    assert len(fragments) == 4
    # RELATIVE to the start (the file's timecodes start at 0): producer times are recent.
    assert all(abs(f["ProducerTimestamp"].timestamp() - time.time()) < 120 for f in fragments)


def test_fast_into_an_existing_stream(server, media):
    assert put_media(server, "--stream", "cli-fast", "--fast", str(media["h264"])).returncode == 0
    t0 = time.monotonic()
    r = put_media(server, "--stream", "cli-fast", "--fast", str(media["h264"]))
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < 2.5
    assert "created" not in r.stderr
    assert len(persisted(acks(r.stdout))) == 4
    assert len(listed(server, "cli-fast")) == 8


def test_h265_from_stdin(server, media):
    with open(media["h265"], "rb") as f:
        r = put_media(server, "--stream", "cli-h265", "--fast", "-", stdin=f)
    assert r.returncode == 0, r.stderr
    assert len(persisted(acks(r.stdout))) == 3


def test_acks_arrive_while_the_file_is_sent(server, media):
    cmd = [str(sluice_bin()), "put-media", "--endpoint", server.endpoint_url, "--stream",
           "cli-live", str(media["h264"])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    first = proc.stdout.readline()
    first_at = time.monotonic() - t0
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(first)["EventType"] == "BUFFERING"
    assert first_at < 2.0, "the first ack is printed long before the 4 s body ends"


def test_test_source(server):
    r = put_media(server, "--stream", "cli-test-source", "--test-source", "--duration", "3")
    assert r.returncode == 0, r.stderr
    lines = acks(r.stdout)
    assert len(persisted(lines)) >= 2
    assert not [a for a in lines if a["EventType"] == "ERROR"]
    fragments = listed(server, "cli-test-source")
    assert len(fragments) >= 2
    assert all(abs(f["ProducerTimestamp"].timestamp() - time.time()) < 120 for f in fragments)


def test_error_ack_gives_a_non_zero_exit(server, tmp_path):
    garbage = tmp_path / "garbage.mkv"
    garbage.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 64 + b"not matroska" * 100)
    r = put_media(server, "--stream", "cli-garbage", "--fast", str(garbage))
    assert r.returncode == 1
    assert any(a["EventType"] == "ERROR" for a in acks(r.stdout)), r.stdout


def test_usage_and_connection_errors(server, media, tmp_path):
    assert put_media(server, str(media["h264"])).returncode == 2  # no --stream
    assert put_media(server, "--stream", "x").returncode == 2     # no input
    r = subprocess.run([str(sluice_bin()), "put-media", "--endpoint", "http://127.0.0.1:1",
                        "--stream", "x", str(media["h264"])], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "cannot connect" in r.stderr
    assert put_media(server, "--stream", "x", str(tmp_path / "missing.mkv")).returncode == 1
