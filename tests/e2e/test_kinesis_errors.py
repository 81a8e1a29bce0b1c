# SPDX-License-Identifier: Apache-2.0
# Bad input through boto3 and raw HTTP: each case must answer the AWS error type (the botocore
# ClientError code) and leave the stored records exactly as they were (read back and compared).
import base64
import itertools
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from support import create_stream, serve_help, snapshot

MIB = 1024 * 1024
# AWS answers model-constraint violations (lengths, counts) with ValidationException; some
# emulators use InvalidArgumentException for the same cases. Either is a correct client error.
CONSTRAINT_ERRORS = {"ValidationException", "InvalidArgumentException"}
_names = itertools.count()


@pytest.fixture(scope="module")
def kinesis(server):
    return server.client()


@pytest.fixture
def stream(kinesis):
    """A two-shard stream holding a few known records."""
    name = f"errors-{os.getpid()}-{next(_names)}"
    create_stream(kinesis, name, shards=2)
    kinesis.put_records(StreamName=name, Records=[
        {"Data": f"seed-{i}".encode(), "PartitionKey": f"k{i}"} for i in range(6)])
    return name


def expect_error(call, codes, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    code = e.value.response["Error"]["Code"]
    codes = {codes} if isinstance(codes, str) else codes
    assert code in codes, f"{call.__name__} answered {code}: {e.value.response['Error']}"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e.value


def test_unknown_stream(kinesis, stream):
    before = snapshot(kinesis, stream)
    missing = "no-such-stream"
    for call, kw in ((kinesis.describe_stream, {}), (kinesis.describe_stream_summary, {}),
                     (kinesis.list_shards, {}), (kinesis.delete_stream, {}),
                     (kinesis.put_record, {"Data": b"x", "PartitionKey": "k"}),
                     (kinesis.put_records, {"Records": [{"Data": b"x", "PartitionKey": "k"}]}),
                     (kinesis.get_shard_iterator, {"ShardId": "shardId-000000000000",
                                                   "ShardIteratorType": "TRIM_HORIZON"}),
                     (kinesis.add_tags_to_stream, {"Tags": {"a": "b"}}),
                     (kinesis.list_tags_for_stream, {}),
                     (kinesis.increase_stream_retention_period, {"RetentionPeriodHours": 48})):
        expect_error(call, "ResourceNotFoundException", StreamName=missing, **kw)
    assert snapshot(kinesis, stream) == before


def test_bad_shard_id(kinesis, stream):
    before = snapshot(kinesis, stream)
    expect_error(kinesis.get_shard_iterator, "ResourceNotFoundException", StreamName=stream,
                 ShardId="shardId-000000000009", ShardIteratorType="TRIM_HORIZON")
    expect_error(kinesis.get_shard_iterator, {"ResourceNotFoundException",
                                              "InvalidArgumentException"},
                 StreamName=stream, ShardId="not-a-shard", ShardIteratorType="TRIM_HORIZON")
    assert snapshot(kinesis, stream) == before


def test_sequence_number_from_another_shard(kinesis, stream):
    s0 = snapshot(kinesis, stream)["shardId-000000000000"]
    assert s0, "seed records should reach shard 0"
    expect_error(kinesis.get_shard_iterator, "InvalidArgumentException", StreamName=stream,
                 ShardId="shardId-000000000001", ShardIteratorType="AT_SEQUENCE_NUMBER",
                 StartingSequenceNumber=s0[0][0])
    expect_error(kinesis.get_shard_iterator, {"InvalidArgumentException", "ValidationException"},
                 StreamName=stream, ShardId="shardId-000000000000",
                 ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12345x")


def test_record_over_one_mib(kinesis, stream):
    before = snapshot(kinesis, stream)
    expect_error(kinesis.put_record, CONSTRAINT_ERRORS, StreamName=stream,
                 Data=b"\x00" * (MIB + 1), PartitionKey="k")
    # PutRecords with one oversize entry rejects the whole call: the valid entry is not stored.
    expect_error(kinesis.put_records, CONSTRAINT_ERRORS, StreamName=stream, Records=[
        {"Data": b"fine", "PartitionKey": "k"},
        {"Data": b"\x01" * (MIB + 1), "PartitionKey": "k"}])
    assert snapshot(kinesis, stream) == before
    # The limit counts data plus partition key: exactly 1 MiB in total is accepted.
    out = kinesis.put_record(StreamName=stream, Data=b"\x02" * (MIB - 1), PartitionKey="k")
    assert out["SequenceNumber"]


def test_partition_key_of_257_characters(kinesis, stream):
    before = snapshot(kinesis, stream)
    expect_error(kinesis.put_record, CONSTRAINT_ERRORS, StreamName=stream, Data=b"x",
                 PartitionKey="p" * 257)
    expect_error(kinesis.put_records, CONSTRAINT_ERRORS, StreamName=stream,
                 Records=[{"Data": b"x", "PartitionKey": "p" * 257}])
    assert snapshot(kinesis, stream) == before
    assert kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="p" * 256)["ShardId"]


def test_batch_of_501_records(kinesis, stream):
    before = snapshot(kinesis, stream)
    expect_error(kinesis.put_records, CONSTRAINT_ERRORS, StreamName=stream,
                 Records=[{"Data": b"r", "PartitionKey": str(i)} for i in range(501)])
    assert snapshot(kinesis, stream) == before
    ok = kinesis.put_records(StreamName=stream,
                             Records=[{"Data": b"r", "PartitionKey": str(i)} for i in range(500)])
    assert ok["FailedRecordCount"] == 0 and len(ok["Records"]) == 500


def test_explicit_hash_key_out_of_range(kinesis, stream):
    before = snapshot(kinesis, stream)
    expect_error(kinesis.put_record, {"InvalidArgumentException", "ValidationException"},
                 StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128))
    expect_error(kinesis.put_record, {"InvalidArgumentException", "ValidationException"},
                 StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey="12ab")
    assert snapshot(kinesis, stream) == before


def _forge(iterator):
    """The iterator with one character changed to another valid base64 character."""
    i = len(iterator) // 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    replacement = next(ch for ch in alphabet if ch != iterator[i])
    return iterator[:i] + replacement + iterator[i + 1:]


def test_forged_iterator(kinesis, stream):
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    before = snapshot(kinesis, stream)
    expect_error(kinesis.get_records, "InvalidArgumentException", ShardIterator=_forge(it))
    expect_error(kinesis.get_records, "InvalidArgumentException", ShardIterator="bm90IGFuIGl0ZXI=")
    assert snapshot(kinesis, stream) == before
    assert kinesis.get_records(ShardIterator=it)["Records"]  # the genuine one still works


def _short_iterator_ttl_args(tmp_path, ttl_ms):
    """Server arguments that shorten the iterator lifetime, if this build has a way: the
    --iterator-ttl-ms flag, or the iterator_ttl_ms config key (as `sluice serve --help` says)."""
    text = serve_help()
    if "--iterator-ttl-ms" in text:
        return ["--iterator-ttl-ms", str(ttl_ms)]
    if "iterator_ttl_ms" in text:
        config = tmp_path / "sluice.json"
        config.write_text(json.dumps({"iterator_ttl_ms": ttl_ms}))
        return ["--config", str(config)]
    return None


def test_expired_iterator(make_server, tmp_path):
    args = _short_iterator_ttl_args(tmp_path, 300)
    if args is None:
        pytest.skip("`sluice serve` has no --iterator-ttl-ms flag or iterator_ttl_ms config key "
                    "to shorten the 5-minute iterator lifetime, so expiry cannot be tested in "
                    "bounded time")
    srv = make_server(args)
    c = srv.client()
    create_stream(c, "ttl")
    c.put_record(StreamName="ttl", Data=b"x", PartitionKey="k")
    it = c.get_shard_iterator(StreamName="ttl", ShardId="shardId-000000000000",
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    time.sleep(0.8)
    expect_error(c.get_records, "ExpiredIteratorException", ShardIterator=it)
    assert snapshot(c, "ttl")["shardId-000000000000"][0][2] == b"x"


def test_bad_retention_and_monitoring_values(kinesis, stream):
    expect_error(kinesis.increase_stream_retention_period, "InvalidArgumentException",
                 StreamName=stream, RetentionPeriodHours=100000)
    expect_error(kinesis.enable_enhanced_monitoring, CONSTRAINT_ERRORS, StreamName=stream,
                 ShardLevelMetrics=["NotAMetric"])


# --- raw HTTP: what boto3 would refuse to send ---------------------------------------------------
def raw_error(server, operation, body, content_type="application/x-amz-json-1.1"):
    status, headers, payload = server.raw(operation, body, content_type=content_type)
    assert status == 400, (status, payload[:300])
    assert headers.get("Content-Type", "").startswith("application/x-amz-json-1.1")
    return json.loads(payload)


def test_malformed_json(server, kinesis, stream):
    before = snapshot(kinesis, stream)
    for body in (b"{", b"not json", b'{"StreamName": "x",}', b"\xff\xfe"):
        err = raw_error(server, "PutRecord", body)
        assert err["__type"] == "SerializationException", (body, err)
        assert "message" in err or "Message" in err
    err = raw_error(server, "CreateStream", {"StreamName": "typed", "ShardCount": "three"})
    assert err["__type"] in {"SerializationException", "ValidationException"}, err
    err = raw_error(server, "PutRecord", {"StreamName": stream, "PartitionKey": "k",
                                          "Data": "!!not base64!!"})
    assert err["__type"] in {"SerializationException", "ValidationException"}, err
    assert snapshot(kinesis, stream) == before


def test_missing_required_members(server, kinesis, stream):
    before = snapshot(kinesis, stream)
    err = raw_error(server, "PutRecord", {"StreamName": stream,
                                          "Data": base64.b64encode(b"x").decode()})
    assert err["__type"] in CONSTRAINT_ERRORS, err
    err = raw_error(server, "CreateStream", {"StreamName": "bad name!", "ShardCount": 1})
    assert err["__type"] in CONSTRAINT_ERRORS, err
    err = raw_error(server, "CreateStream", {"StreamName": "zero-shards", "ShardCount": 0})
    assert err["__type"] in CONSTRAINT_ERRORS, err
    err = raw_error(server, "PutRecords", {"StreamName": stream, "Records": []})
    assert err["__type"] in CONSTRAINT_ERRORS, err
    assert snapshot(kinesis, stream) == before
    assert "zero-shards" not in kinesis.list_streams(Limit=10000)["StreamNames"]


def test_unknown_operation(server):
    err = raw_error(server, "MakeCoffee", {})
    assert err["__type"] == "UnknownOperationException", err
    status, _, payload = server.raw(None, {}, headers={"X-Amz-Target": "NotKinesis.ListStreams"})
    assert status == 400 and json.loads(payload)["__type"] == "UnknownOperationException"
