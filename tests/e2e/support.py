# SPDX-License-Identifier: Apache-2.0
# Support for the end-to-end suites: SluiceServer runs the real `sluice serve` on a free loopback
# port over a data folder that survives restarts (SIGKILL or SIGTERM) and hands out boto3 clients
# and raw HTTP calls; plus small Kinesis helpers (wait for ACTIVE, read a shard, MD5 routing).
import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# A current Kinesis service model (from botocore 1.43, Apache-2.0) for the members that Debian's
# botocore 1.29 predates: StreamARN on every operation, ListStreams NextToken and StreamSummaries.
CURRENT_MODEL_DIR = HERE / "botocore_data"
LISTEN_RE = re.compile(r"sluice listening on (http://[0-9.]+:(\d+))")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0

# No user configuration, profile or endpoint override may leak into the tests.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS",
             "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"):
    os.environ.pop(_var, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "secret"
REGION = "us-east-1"


def sluice_bin():
    return Path(os.environ.get("SLUICE_BIN", REPO / "build" / "sluice"))


def serve_help():
    """The text of `sluice serve --help` (empty if the binary does not print one)."""
    try:
        out = subprocess.run([str(sluice_bin()), "serve", "--help"], capture_output=True,
                             text=True, timeout=10)
        return out.stdout + out.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


class SluiceServer:
    """One `sluice serve` process over a data folder that outlives restarts."""

    def __init__(self, data_dir, log_dir, extra_args=()):
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.extra_args = list(extra_args)
        self.proc = None
        self.endpoint_url = None
        self.port = None
        self.starts = 0
        self._stdout_lines = []

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self):
        binary = sluice_bin()
        if not binary.exists():
            pytest.fail(f"server binary {binary} does not exist (build it or set SLUICE_BIN)")
        self.starts += 1
        self.stderr_path = self.log_dir / f"server-{self.starts}.stderr"
        stderr = open(self.stderr_path, "wb")
        cmd = [str(binary), "serve", "--listen", "127.0.0.1:0", "--data", str(self.data_dir)]
        self.proc = subprocess.Popen(cmd + self.extra_args, stdout=subprocess.PIPE,
                                     stderr=stderr, stdin=subprocess.DEVNULL)
        stderr.close()
        self.endpoint_url, self.port = self._read_listen_line()
        # Keep draining stdout so that a chatty server never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
        self._wait_healthy()
        return self

    def _read_listen_line(self):
        result = {}

        def reader(proc):
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self._stdout_lines.append(line)
                m = LISTEN_RE.search(line)
                if m:
                    result["url"], result["port"] = m.group(1), int(m.group(2))
                    return

        t = threading.Thread(target=reader, args=(self.proc,), daemon=True)
        t.start()
        t.join(START_TIMEOUT_S)
        if "url" not in result:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"server did not print its listen line within {START_TIMEOUT_S}s "
                        f"(exit {self.proc.returncode}); stdout={self._stdout_lines!r} "
                        f"stderr={self.stderr_text()[-2000:]!r}")
        return result["url"], result["port"]

    def _drain(self, proc):
        for raw in proc.stdout:
            self._stdout_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode} while starting; "
                            f"stderr={self.stderr_text()[-2000:]!r}")
            try:
                with urllib.request.urlopen(self.endpoint_url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError) as e:
                last = e
            time.sleep(0.05)
        pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT_S}s: {last}")

    def kill9(self):
        """SIGKILL: the crash case. Returns the exit status (always -9)."""
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(STOP_TIMEOUT_S)

    def terminate(self):
        """SIGTERM and wait; returns the exit code (0 when the shutdown was clean)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"server did not exit within {STOP_TIMEOUT_S}s of SIGTERM")

    def restart(self, kill9=True):
        """Stops the server (SIGKILL, or SIGTERM expecting exit 0) and starts it again on the
        same data folder. The port changes: make new clients after a restart."""
        if kill9:
            self.kill9()
        else:
            code = self.terminate()
            assert code == 0, f"SIGTERM shutdown exited with {code}: {self.stderr_text()[-2000:]}"
        return self.start()

    def stderr_text(self):
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self):
        return self.proc.pid

    # --- clients ------------------------------------------------------------------------------
    def client(self, service="kinesis", current_model=False, **config):
        """A boto3 client for this server. current_model=True loads the newer Kinesis model
        (StreamARN everywhere, ListStreams NextToken/StreamSummaries)."""
        cfg = {"retries": {"max_attempts": 1, "mode": "standard"}, "connect_timeout": 5,
               "read_timeout": 30}
        cfg.update(config)
        core = botocore.session.get_session()
        if current_model:
            core.get_component("data_loader").search_paths.insert(0, str(CURRENT_MODEL_DIR))
        session = boto3.session.Session(botocore_session=core)
        return session.client(service, region_name=REGION, endpoint_url=self.endpoint_url,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                              config=Config(**cfg))

    def raw(self, operation, body, content_type="application/x-amz-json-1.1", headers=None,
            method="POST", path="/"):
        """Sends one unsigned request; returns (status, headers, body bytes). `body` may be a
        dict (sent as JSON) or bytes (sent as is)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        req = urllib.request.Request(self.endpoint_url + path, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if operation:
            req.add_header("X-Amz-Target", "Kinesis_20131202." + operation)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def raw_json(self, operation, body):
        status, _, payload = self.raw(operation, body)
        return status, (json.loads(payload) if payload else {})

    def get(self, path):
        return self.raw(None, None, content_type=None, method="GET", path=path)


# --- helpers shared by the suites -------------------------------------------------------------
def wait_active(client, name, timeout_s=15.0):
    """Polls DescribeStreamSummary until the stream is ACTIVE (CreateStream is asynchronous)."""
    deadline = time.monotonic() + timeout_s
    status = None
    while time.monotonic() < deadline:
        status = client.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        if status == "ACTIVE":
            return
        time.sleep(0.05)
    raise AssertionError(f"stream {name} still {status} after {timeout_s}s")


def create_stream(client, name, shards=1):
    client.create_stream(StreamName=name, ShardCount=shards)
    wait_active(client, name)


def shard_ids(client, name):
    return [s["ShardId"] for s in client.list_shards(StreamName=name)["Shards"]]


def read_shard(client, stream, shard_id, limit=None):
    """Every record of one shard from TRIM_HORIZON to the tip, as boto3 returns them."""
    it = client.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    for _ in range(100000):
        kw = {"ShardIterator": it}
        if limit:
            kw["Limit"] = limit
        out = client.get_records(**kw)
        records.extend(out["Records"])
        it = out.get("NextShardIterator")
        if not it or (not out["Records"] and out["MillisBehindLatest"] == 0):
            return records
    raise AssertionError("shard read did not reach the tip")


def snapshot(client, stream):
    """{shard_id: [(SequenceNumber, PartitionKey, Data), ...]} for the whole stream."""
    return {sid: [(r["SequenceNumber"], r["PartitionKey"], r["Data"])
                  for r in read_shard(client, stream, sid)]
            for sid in shard_ids(client, stream)}


def md5_hash_key(partition_key):
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def b64(data):
    return base64.b64encode(data).decode()
