# SPDX-License-Identifier: Apache-2.0
# Every Kinesis Data Streams operation Sluice serves, driven through boto3 against a live server:
# stream lifecycle, listing and pagination, puts and reads with every iterator type, MD5 routing
# over four shards, retention, tags, limits, monitoring, StreamARN addressing and waiters.
# Bad input is covered in test_kinesis_errors.py, raw HTTP (CBOR, CORS, metrics) in test_kinesis_wire.py.
import datetime
import itertools
import os
import re
import time

import pytest
from botocore.exceptions import ClientError

from support import (create_stream, md5_hash_key, read_shard, shard_ids, snapshot, wait_active)

_names = itertools.count()
HASH_MAX = 2**128 - 1


def unique(prefix):
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def kinesis(server):
    return server.client()


@pytest.fixture(scope="module")
def kinesis_current(server):
    return server.client(current_model=True)


# --- stream lifecycle ---------------------------------------------------------------------------
def test_create_provisioned_stream_and_describe(kinesis):
    name = unique("prov")
    before = datetime.datetime.now(datetime.timezone.utc)
    kinesis.create_stream(StreamName=name, ShardCount=3)
    wait_active(kinesis, name)
    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert d["StreamName"] == name
    assert re.fullmatch(rf"arn:aws:kinesis:us-east-1:\d{{12}}:stream/{re.escape(name)}",
                        d["StreamARN"])
    assert d["StreamStatus"] == "ACTIVE"
    assert d["HasMoreShards"] is False
    assert d["RetentionPeriodHours"] == 24
    created = d["StreamCreationTimestamp"]
    assert before - datetime.timedelta(seconds=5) <= created <= before + datetime.timedelta(
        seconds=60)
    assert isinstance(d["EnhancedMonitoring"], list)
    assert [s["ShardId"] for s in d["Shards"]] == [f"shardId-{i:012d}" for i in range(3)]
    step = 2**128 // 3
    for i, shard in enumerate(d["Shards"]):
        start = int(shard["HashKeyRange"]["StartingHashKey"])
        end = int(shard["HashKeyRange"]["EndingHashKey"])
        assert start == step * i
        assert end == (HASH_MAX if i == 2 else step * (i + 1) - 1)
        assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit()
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
        assert "ParentShardId" not in shard

    s = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert s["StreamName"] == name and s["StreamARN"] == d["StreamARN"]
    assert s["StreamStatus"] == "ACTIVE"
    assert s["OpenShardCount"] == 3
    assert s["RetentionPeriodHours"] == 24
    assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert s["StreamCreationTimestamp"] == created


def test_create_on_demand_stream(kinesis):
    name = unique("ondemand")
    kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    wait_active(kinesis, name)
    s = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert s["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert s["OpenShardCount"] >= 1
    put = kinesis.put_record(StreamName=name, Data=b"on demand", PartitionKey="k")
    records = read_shard(kinesis, name, put["ShardId"])
    assert [r["Data"] for r in records] == [b"on demand"]


def test_create_existing_name_is_resource_in_use(kinesis):
    name = unique("dup")
    create_stream(kinesis, name)
    with pytest.raises(ClientError) as e:
        kinesis.create_stream(StreamName=name, ShardCount=2)
    assert error_code(e) == "ResourceInUseException"
    assert kinesis.describe_stream_summary(
        StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 1


def test_delete_stream_and_recreate_is_empty(kinesis):
    name = unique("del")
    create_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="k")
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream(StreamName=name)
    assert error_code(e) == "ResourceNotFoundException"
    assert name not in kinesis.list_streams(Limit=10000)["StreamNames"]
    create_stream(kinesis, name)
    assert snapshot(kinesis, name) == {"shardId-000000000000": []}


def test_stream_exists_waiter(kinesis):
    name = unique("waiter")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    assert kinesis.describe_stream(
        StreamName=name)["StreamDescription"]["StreamStatus"] == "ACTIVE"


def test_describe_stream_shard_pagination(kinesis):
    name = unique("descpage")
    create_stream(kinesis, name, shards=5)
    first = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000",
                                                       "shardId-000000000001"]
    assert first["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000001")
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == [
        f"shardId-{i:012d}" for i in (2, 3, 4)]
    assert rest["StreamDescription"]["HasMoreShards"] is False
    pages = kinesis.get_paginator("describe_stream").paginate(
        StreamName=name, PaginationConfig={"PageSize": 2})
    assert [s["ShardId"] for s in pages.build_full_result()["StreamDescription"]["Shards"]] == [
        f"shardId-{i:012d}" for i in range(5)]


# --- listing ------------------------------------------------------------------------------------
def test_list_streams_pagination_and_summaries(make_server):
    srv = make_server()
    old, cur = srv.client(), srv.client(current_model=True)
    names = ["alpha", "bravo", "charlie"]
    for n in reversed(names):
        create_stream(old, n)
    out = old.list_streams()
    assert out["StreamNames"] == names and out["HasMoreStreams"] is False
    out = old.list_streams(Limit=2)
    assert out["StreamNames"] == names[:2] and out["HasMoreStreams"] is True
    out = old.list_streams(ExclusiveStartStreamName="bravo")
    assert out["StreamNames"] == ["charlie"] and out["HasMoreStreams"] is False
    # Debian's botocore 1.29 pages with ExclusiveStartStreamName ...
    pages = list(old.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 1}))
    assert [n for p in pages for n in p["StreamNames"]] == names
    # ... current SDKs with NextToken, and read StreamSummaries.
    first = cur.list_streams(Limit=1)
    assert first["StreamNames"] == ["alpha"] and first["HasMoreStreams"] is True
    assert first["NextToken"]
    second = cur.list_streams(NextToken=first["NextToken"], Limit=1)
    assert second["StreamNames"] == ["bravo"]
    full = cur.get_paginator("list_streams").paginate(
        PaginationConfig={"PageSize": 1}).build_full_result()
    assert full["StreamNames"] == names
    summaries = full["StreamSummaries"]
    assert [s["StreamName"] for s in summaries] == names
    for s in summaries:
        assert s["StreamStatus"] == "ACTIVE"
        assert s["StreamARN"].endswith(":stream/" + s["StreamName"])
        assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
        assert isinstance(s["StreamCreationTimestamp"], datetime.datetime)


def test_list_shards_pagination_and_filters(kinesis):
    name = unique("shards")
    create_stream(kinesis, name, shards=4)
    all_ids = [f"shardId-{i:012d}" for i in range(4)]
    full = kinesis.list_shards(StreamName=name)
    assert [s["ShardId"] for s in full["Shards"]] == all_ids
    assert "NextToken" not in full
    got, out = [], kinesis.list_shards(StreamName=name, MaxResults=1)
    while True:
        got += [s["ShardId"] for s in out["Shards"]]
        if not out.get("NextToken"):
            break
        out = kinesis.list_shards(NextToken=out["NextToken"], MaxResults=1)
    assert got == all_ids
    # (boto3's list_shards paginator repeats StreamName beside NextToken, which AWS itself rejects,
    # boto/botocore#2009: page by hand as above.)
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId=all_ids[1])
    assert [s["ShardId"] for s in after["Shards"]] == all_ids[2:]

    def filtered(**shard_filter):
        return [s["ShardId"] for s in
                kinesis.list_shards(StreamName=name, ShardFilter=shard_filter)["Shards"]]

    assert filtered(Type="AFTER_SHARD_ID", ShardId=all_ids[1]) == all_ids[2:]
    assert filtered(Type="AT_TRIM_HORIZON") == all_ids
    assert filtered(Type="FROM_TRIM_HORIZON") == all_ids
    assert filtered(Type="AT_LATEST") == all_ids
    assert filtered(Type="AT_TIMESTAMP", Timestamp=time.time()) == all_ids
    assert filtered(Type="FROM_TIMESTAMP", Timestamp=time.time()) == all_ids

    token = kinesis.list_shards(StreamName=name, MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as e:  # AWS: NextToken excludes StreamName
        kinesis.list_shards(StreamName=name, NextToken=token)
    assert error_code(e) == "InvalidArgumentException"


# --- writes and reads ---------------------------------------------------------------------------
def test_put_record_get_records_roundtrip(kinesis):
    name = unique("roundtrip")
    create_stream(kinesis, name)
    payload = bytes(range(256)) * 4
    put = kinesis.put_record(StreamName=name, Data=payload, PartitionKey="user1")
    assert put["ShardId"] == "shardId-000000000000"
    assert re.fullmatch(r"0|[1-9]\d{0,128}", put["SequenceNumber"])
    assert put.get("EncryptionType", "NONE") == "NONE"
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=put["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert 1 <= len(it) <= 512
    out = kinesis.get_records(ShardIterator=it)
    assert len(out["Records"]) == 1
    rec = out["Records"][0]
    assert rec["Data"] == payload
    assert rec["PartitionKey"] == "user1"
    assert rec["SequenceNumber"] == put["SequenceNumber"]
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - rec["ApproximateArrivalTimestamp"]).total_seconds()) < 60
    assert out["NextShardIterator"]
    assert out["MillisBehindLatest"] == 0
    # Nothing more: an empty page is normal and still hands back an iterator.
    again = kinesis.get_records(ShardIterator=out["NextShardIterator"])
    assert again["Records"] == [] and again["NextShardIterator"]
    assert again["MillisBehindLatest"] == 0
    # Iterators are positions, not cursors: the first one reads the same record again.
    assert [r["SequenceNumber"] for r in kinesis.get_records(ShardIterator=it)["Records"]] == [
        put["SequenceNumber"]]


def test_put_records_batch_keeps_order_per_shard(kinesis):
    name = unique("batch")
    create_stream(kinesis, name, shards=2)
    entries = [{"Data": f"record-{i}".encode(), "PartitionKey": f"key-{i % 7}"}
               for i in range(100)]
    out = kinesis.put_records(StreamName=name, Records=entries)
    assert out["FailedRecordCount"] == 0
    assert len(out["Records"]) == len(entries)
    by_shard = {}
    for entry, result in zip(entries, out["Records"]):
        assert "ErrorCode" not in result
        by_shard.setdefault(result["ShardId"], []).append((result["SequenceNumber"], entry))
    for shard_id, acked in by_shard.items():
        seqs = [int(s) for s, _ in acked]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        stored = read_shard(kinesis, name, shard_id)
        assert [(r["SequenceNumber"], r["Data"], r["PartitionKey"]) for r in stored] == [
            (s, e["Data"], e["PartitionKey"]) for s, e in acked]


def test_four_shard_md5_routing(kinesis):
    name = unique("routing")
    create_stream(kinesis, name, shards=4)
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]),
               s["ShardId"]) for s in shards]
    step = 2**128 // 4
    assert [(lo, hi) for lo, hi, _ in ranges] == [
        (step * i, HASH_MAX if i == 3 else step * (i + 1) - 1) for i in range(4)]

    def expected_shard(hash_key):
        return next(sid for lo, hi, sid in ranges if lo <= hash_key <= hi)

    seen = set()
    for i in range(64):
        key = f"device-{i}-\u00e9"  # non-ASCII: MD5 is over the UTF-8 bytes
        out = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey=key)
        assert out["ShardId"] == expected_shard(md5_hash_key(key)), key
        seen.add(out["ShardId"])
    assert seen == {sid for _, _, sid in ranges}
    keys = [f"batch-key-{i}" for i in range(40)]
    out = kinesis.put_records(StreamName=name,
                              Records=[{"Data": b"y", "PartitionKey": k} for k in keys])
    assert [r["ShardId"] for r in out["Records"]] == [
        expected_shard(md5_hash_key(k)) for k in keys]
    # ExplicitHashKey overrides the MD5 of the key; both range ends are inclusive.
    for lo, hi, sid in ranges:
        for hk in (lo, hi):
            out = kinesis.put_record(StreamName=name, Data=b"z", PartitionKey="ignored",
                                     ExplicitHashKey=str(hk))
            assert out["ShardId"] == sid


def test_every_shard_iterator_type(kinesis):
    name = unique("iters")
    create_stream(kinesis, name)
    sid = "shardId-000000000000"
    first = [kinesis.put_record(StreamName=name, Data=f"A{i}".encode(), PartitionKey="k")
             for i in range(5)]
    seqs = [p["SequenceNumber"] for p in first]
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs)
    # Debian's botocore sends timestamps in whole seconds: put a second boundary between batches.
    middle = int(time.time()) + 1
    time.sleep(max(0.0, middle - time.time()) + 0.05)

    def read(**kw):
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid, **kw)["ShardIterator"]
        return [r["Data"].decode() for r in kinesis.get_records(ShardIterator=it)["Records"]]

    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=latest)["Records"] == []
    second = [kinesis.put_record(StreamName=name, Data=f"B{i}".encode(), PartitionKey="k")
              for i in range(2)]

    assert [r["Data"].decode() for r in kinesis.get_records(ShardIterator=latest)["Records"]] == [
        "B0", "B1"]
    assert read(ShardIteratorType="TRIM_HORIZON") == ["A0", "A1", "A2", "A3", "A4", "B0", "B1"]
    assert read(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]) == [
        "A2", "A3", "A4", "B0", "B1"]
    assert read(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]) == [
        "A3", "A4", "B0", "B1"]
    assert read(ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                StartingSequenceNumber=second[-1]["SequenceNumber"]) == []
    assert read(ShardIteratorType="AT_TIMESTAMP", Timestamp=middle) == ["B0", "B1"]
    assert read(ShardIteratorType="AT_TIMESTAMP",
                Timestamp=datetime.datetime(2000, 1, 1)) == ["A0", "A1", "A2", "A3", "A4", "B0",
                                                             "B1"]
    b0 = read_shard(kinesis, name, sid)[5]
    assert read(ShardIteratorType="AT_TIMESTAMP",
                Timestamp=b0["ApproximateArrivalTimestamp"]) == ["B0", "B1"]
    assert read(ShardIteratorType="LATEST") == []


def test_get_records_limit_and_millis_behind_latest(kinesis):
    name = unique("limit")
    create_stream(kinesis, name)
    sid = "shardId-000000000000"
    kinesis.put_records(StreamName=name, Records=[{"Data": f"r{i}".encode(), "PartitionKey": "k"}
                                                  for i in range(10)])
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    while True:
        out = kinesis.get_records(ShardIterator=it, Limit=3)
        assert isinstance(out["MillisBehindLatest"], int) and out["MillisBehindLatest"] >= 0
        assert len(out["Records"]) <= 3
        if not out["Records"]:
            assert out["MillisBehindLatest"] == 0
            break
        pages.append([r["Data"].decode() for r in out["Records"]])
        it = out["NextShardIterator"]
    assert pages == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6", "r7", "r8"], ["r9"]]


def test_iterators_survive_a_restart(make_server):
    srv = make_server()
    c = srv.client()
    create_stream(c, "keep")
    c.put_record(StreamName="keep", Data=b"before", PartitionKey="k")
    it = c.get_shard_iterator(StreamName="keep", ShardId="shardId-000000000000",
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    srv.restart(kill9=False)
    c = srv.client()
    assert [r["Data"] for r in c.get_records(ShardIterator=it)["Records"]] == [b"before"]


# --- stream settings ----------------------------------------------------------------------------
def test_retention_period(kinesis):
    name = unique("retention")
    create_stream(kinesis, name)

    def hours():
        return kinesis.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]

    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert hours() == 48
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"][
        "RetentionPeriodHours"] == 48
    for call, value in ((kinesis.increase_stream_retention_period, 36),    # not an increase
                        (kinesis.increase_stream_retention_period, 8761),  # above 365 days
                        (kinesis.decrease_stream_retention_period, 72),    # not a decrease
                        (kinesis.decrease_stream_retention_period, 23)):   # below 24 h
        with pytest.raises(ClientError) as e:
            call(StreamName=name, RetentionPeriodHours=value)
        assert error_code(e) == "InvalidArgumentException", (call, value)
        assert hours() == 48
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    assert hours() == 24
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
    assert hours() == 8760


def test_tags(kinesis):
    name = unique("tags")
    create_stream(kinesis, name)
    empty = kinesis.list_tags_for_stream(StreamName=name)
    assert empty["Tags"] == [] and empty["HasMoreTags"] is False
    kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "test", "team": "video",
                                                      "owner": ""})
    out = kinesis.list_tags_for_stream(StreamName=name)
    assert {t["Key"]: t.get("Value", "") for t in out["Tags"]} == {
        "env": "test", "team": "video", "owner": ""}
    assert out["HasMoreTags"] is False
    page = kinesis.list_tags_for_stream(StreamName=name, Limit=1)
    assert len(page["Tags"]) == 1 and page["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName=name,
                                        ExclusiveStartTagKey=page["Tags"][0]["Key"])
    assert len(rest["Tags"]) == 2
    assert page["Tags"][0]["Key"] not in {t["Key"] for t in rest["Tags"]}
    kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "prod"})  # overwrite
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["team", "owner", "absent"])
    out = kinesis.list_tags_for_stream(StreamName=name)
    assert {t["Key"]: t.get("Value", "") for t in out["Tags"]} == {"env": "prod"}


def test_describe_limits(kinesis):
    create_stream(kinesis, unique("limits"), shards=2)
    out = kinesis.describe_limits()
    assert out["ShardLimit"] > 0
    assert 2 <= out["OpenShardCount"] <= out["ShardLimit"]
    assert out["OnDemandStreamCount"] >= 0 and out["OnDemandStreamCountLimit"] > 0


def test_enhanced_monitoring(kinesis):
    name = unique("monitor")
    create_stream(kinesis, name)

    def described():
        d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
        return sorted(m for e in d["EnhancedMonitoring"] for m in e["ShardLevelMetrics"])

    assert described() == []
    out = kinesis.enable_enhanced_monitoring(StreamName=name,
                                             ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
    assert out["StreamName"] == name
    assert sorted(out["CurrentShardLevelMetrics"]) == []
    assert sorted(out["DesiredShardLevelMetrics"]) == ["IncomingBytes", "OutgoingRecords"]
    assert described() == ["IncomingBytes", "OutgoingRecords"]
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert sorted(out["CurrentShardLevelMetrics"]) == ["IncomingBytes", "OutgoingRecords"]
    assert out["DesiredShardLevelMetrics"] == ["OutgoingRecords"]
    assert described() == ["OutgoingRecords"]
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert sorted(out["DesiredShardLevelMetrics"]) == sorted([
        "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
        "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
        "IteratorAgeMilliseconds"])
    kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert described() == []


# --- StreamARN addressing (current SDK model) ---------------------------------------------------
def test_stream_arn_addressing(kinesis, kinesis_current):
    c = kinesis_current
    name = unique("byarn")
    create_stream(kinesis, name, shards=2)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    assert c.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"][
        "StreamName"] == name
    assert c.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"] == name
    assert len(c.list_shards(StreamARN=arn)["Shards"]) == 2
    put = c.put_record(StreamARN=arn, Data=b"via arn", PartitionKey="a")
    batch = c.put_records(StreamARN=arn, Records=[{"Data": b"via arn 2", "PartitionKey": "a"}])
    assert batch["FailedRecordCount"] == 0
    it = c.get_shard_iterator(StreamARN=arn, ShardId=put["ShardId"],
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = c.get_records(StreamARN=arn, ShardIterator=it)
    assert [r["Data"] for r in out["Records"]] == [b"via arn", b"via arn 2"]
    c.add_tags_to_stream(StreamARN=arn, Tags={"by": "arn"})
    assert c.list_tags_for_stream(StreamARN=arn)["Tags"] == [{"Key": "by", "Value": "arn"}]
    c.increase_stream_retention_period(StreamARN=arn, RetentionPeriodHours=30)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
        "RetentionPeriodHours"] == 30
    missing = arn.rsplit("/", 1)[0] + "/no-such-stream-by-arn"
    with pytest.raises(ClientError) as e:
        c.describe_stream_summary(StreamARN=missing)
    assert error_code(e) == "ResourceNotFoundException"
    assert shard_ids(kinesis, name) == ["shardId-000000000000", "shardId-000000000001"]
