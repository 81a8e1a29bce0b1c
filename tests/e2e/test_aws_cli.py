# SPDX-License-Identifier: Apache-2.0
# The README's quickstart, command for command, with the AWS CLI v2 (/usr/bin/aws: Debian's awscli,
# not whatever `aws` a version manager puts first on PATH) against a live server, in a fresh HOME.
import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

AWS = os.environ.get("SLUICE_AWS_CLI", "/usr/bin/aws")


@pytest.fixture
def aws(server, tmp_path):
    if not Path(AWS).exists():
        pytest.skip(f"{AWS} is not installed (Debian package awscli)")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
           "AWS_CONFIG_FILE": str(home / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials")}

    def run(*args):
        cmd = [AWS, "--endpoint-url", server.endpoint_url, "--output", "json", *args]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"{' '.join(args)} exited {out.returncode}: {out.stderr}"
        return json.loads(out.stdout) if out.stdout.strip() else None

    return run


def test_quickstart_seed_commands(aws):
    assert aws("kinesis", "create-stream", "--stream-name", "Demostream",
               "--shard-count", "1") is None
    put = aws("kinesis", "put-record", "--stream-name", "Demostream", "--partition-key", "user1",
              "--data", "user signup", "--cli-binary-format", "raw-in-base64-out")
    assert put["ShardId"] == "shardId-000000000000"
    assert put["SequenceNumber"].isdigit()
    desc = aws("kinesis", "describe-stream", "--stream-name", "Demostream")["StreamDescription"]
    assert desc["StreamName"] == "Demostream"
    assert desc["StreamStatus"] == "ACTIVE"
    assert [s["ShardId"] for s in desc["Shards"]] == ["shardId-000000000000"]
    it = aws("kinesis", "get-shard-iterator", "--stream-name", "Demostream", "--shard-id",
             "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    records = aws("kinesis", "get-records", "--shard-iterator", it)
    [rec] = records["Records"]
    assert base64.b64decode(rec["Data"]) == b"user signup"
    assert rec["PartitionKey"] == "user1"
    assert rec["SequenceNumber"] == put["SequenceNumber"]
    assert records["NextShardIterator"]
    assert records["MillisBehindLatest"] == 0


def test_cli_lists_and_deletes(aws):
    aws("kinesis", "create-stream", "--stream-name", "cli-other", "--shard-count", "2")
    aws("kinesis", "wait", "stream-exists", "--stream-name", "cli-other")
    assert "cli-other" in aws("kinesis", "list-streams")["StreamNames"]
    shards = aws("kinesis", "list-shards", "--stream-name", "cli-other")["Shards"]
    assert len(shards) == 2
    aws("kinesis", "delete-stream", "--stream-name", "cli-other")
    aws("kinesis", "wait", "stream-not-exists", "--stream-name", "cli-other")
