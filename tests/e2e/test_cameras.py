# SPDX-License-Identifier: Apache-2.0
# `sluice cameras` against a live server and a loopback RTSP camera (tests/e2e/rtsp_test_server):
# add/list/remove, fragments land, a camera that goes away is retried and ingest resumes by itself
# when it comes back, cameras survive a server restart; H.264 and H.265.
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support import REPO, sluice_bin


def rtsp_server_bin():
    path = os.environ.get("SLUICE_RTSP_TEST_SERVER")
    if path:
        return Path(path)
    return sluice_bin().parent / "tests" / "e2e" / "rtsp_test_server"


def have_x265():
    return subprocess.run(["gst-inspect-1.0", "x265enc"], capture_output=True).returncode == 0


class RtspCamera:
    """The test camera as a child process; restartable on the same port."""

    def __init__(self, codec="h264"):
        if not rtsp_server_bin().exists():
            pytest.skip(f"rtsp_test_server is not built ({rtsp_server_bin()})")
        self.codec, self.port, self.proc, self.url = codec, 0, None, None

    def start(self):
        self.proc = subprocess.Popen([str(rtsp_server_bin()), "--port", str(self.port), "--codec",
                                      self.codec], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("rtsp://"), "rtsp_test_server did not start"
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        return self

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def camera():
    cams = []

    def make(codec="h264"):
        cams.append(RtspCamera(codec).start())
        return cams[-1]

    yield make
    for c in cams:
        c.stop()


def cameras(server, *args):
    return subprocess.run([str(sluice_bin()), "cameras", "--endpoint", server.endpoint_url, *args],
                          capture_output=True, text=True, timeout=30)


def status(server, name):
    r = cameras(server, "status", name)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def wait_for(pred, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("codec", ["h264", "h265"])
def test_add_list_remove(server, camera, codec):
    if codec == "h265" and not have_x265():
        pytest.skip("x265enc is not installed")
    cam = camera(codec)
    name = f"cam-{codec}"
    r = cameras(server, "add", name, cam.url, "--stream", f"{name}-video")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: status(server, name)["FragmentCount"] >= 2, what="fragments")
    s = status(server, name)
    assert s["Connected"] is True and s["StreamName"] == f"{name}-video"
    assert s["LastFragmentTime"] > time.time() - 60 and s["ReconnectCount"] == 0

    listed = cameras(server, "list", "--json")
    assert name in [c["Name"] for c in json.loads(listed.stdout)["Cameras"]]
    table = cameras(server, "list")
    assert table.returncode == 0 and name in table.stdout and "CONNECTED" in table.stdout

    assert cameras(server, "add", name, cam.url).returncode == 1  # name taken
    assert cameras(server, "remove", name).returncode == 0
    assert cameras(server, "remove", name).returncode == 1
    assert name not in cameras(server, "list").stdout


def test_source_stopped_and_restarted_resumes(server, camera):
    cam = camera()
    assert cameras(server, "add", "flaky", cam.url).returncode == 0
    wait_for(lambda: status(server, "flaky")["FragmentCount"] >= 1, what="first fragment")
    cam.stop()
    s = wait_for(lambda: (lambda s: s if not s["Connected"] and s["LastError"] and
                          s["ReconnectCount"] >= 1 else None)(status(server, "flaky")),
                 what="the error to show")
    before = s["FragmentCount"]
    cam.start()
    wait_for(lambda: status(server, "flaky")["FragmentCount"] >= before + 2, timeout=60,
             what="ingest to resume")
    assert status(server, "flaky")["Connected"] is True
    assert cameras(server, "remove", "flaky").returncode == 0


def test_cameras_survive_a_restart(make_server, camera):
    srv = make_server()
    cam = camera()
    assert cameras(srv, "add", "kept", cam.url, "--transport", "udp").returncode == 0
    wait_for(lambda: status(srv, "kept")["FragmentCount"] >= 1, what="first fragment")
    srv.restart(kill9=False)
    s = status(srv, "kept")
    assert s["Transport"] == "udp"
    wait_for(lambda: status(srv, "kept")["FragmentCount"] >= 1, what="pulling after restart")


def test_bad_requests(server):
    assert cameras(server, "add", "bad name", "rtsp://127.0.0.1/x").returncode == 1
    assert cameras(server, "add", "x", "http://127.0.0.1/x").returncode == 1
    assert cameras(server, "status", "nope").returncode == 1
    assert cameras(server, "frobnicate").returncode == 2
