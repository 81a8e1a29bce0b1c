# SPDX-License-Identifier: Apache-2.0
# Raw HTTP against a live server: the CBOR 1.1 content type (as the Java SDKs and KCL send it),
# response headers, CORS for browser clients, /healthz and the Prometheus /metrics text.
import base64
import json
import re
import time

import pytest

from cbor_mini import Tag, decode, encode
from support import create_stream, read_shard

CBOR = "application/x-amz-cbor-1.1"
JSON = "application/x-amz-json-1.1"


@pytest.fixture(scope="module")
def kinesis(server):
    return server.client()


def cbor_call(server, operation, body):
    status, headers, payload = server.raw(operation, encode(body), content_type=CBOR)
    ctype = headers.get("Content-Type", "")
    if ctype.startswith(CBOR):
        return status, decode(payload)
    assert status != 200, f"a CBOR request got a {ctype!r} answer"
    return status, json.loads(payload)


def test_healthz(server):
    status, _, body = server.get("/healthz")
    assert status == 200
    assert len(body) < 4096


def test_cbor_list_streams_with_empty_map(server, kinesis):
    create_stream(kinesis, "cbor-listed")
    # b"\xa0" is the CBOR empty map, written out by hand.
    status, headers, payload = server.raw("ListStreams", b"\xa0", content_type=CBOR)
    assert status == 200, payload[:300]
    assert headers["Content-Type"].startswith(CBOR)
    out = decode(payload)
    assert isinstance(out, dict)
    assert "cbor-listed" in out["StreamNames"]
    assert out["HasMoreStreams"] in (True, False)


def test_cbor_put_and_get_records_with_byte_strings(server, kinesis):
    create_stream(kinesis, "cbor-data")
    data = bytes(range(256))
    status, put = cbor_call(server, "PutRecord",
                            {"StreamName": "cbor-data", "Data": data, "PartitionKey": "k"})
    assert status == 200, put
    assert put["ShardId"] == "shardId-000000000000" and put["SequenceNumber"].isdigit()
    status, it = cbor_call(server, "GetShardIterator", {
        "StreamName": "cbor-data", "ShardId": "shardId-000000000000",
        "ShardIteratorType": "TRIM_HORIZON"})
    assert status == 200, it
    status, out = cbor_call(server, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert status == 200, out
    [rec] = out["Records"]
    assert rec["Data"] == data  # a raw byte string, not base64 text
    assert rec["PartitionKey"] == "k" and rec["SequenceNumber"] == put["SequenceNumber"]
    # AWS CBOR timestamps: tag 1 around an integer of epoch *milliseconds*.
    ts = rec["ApproximateArrivalTimestamp"]
    assert isinstance(ts, Tag) and ts.tag == 1, ts
    assert abs(ts.value - time.time() * 1000) < 60_000, ts
    assert out["MillisBehindLatest"] == 0
    # The same record through JSON/boto3.
    assert read_shard(kinesis, "cbor-data", "shardId-000000000000")[0]["Data"] == data


def test_cbor_put_records_and_error(server, kinesis):
    create_stream(kinesis, "cbor-batch")
    status, out = cbor_call(server, "PutRecords", {"StreamName": "cbor-batch", "Records": [
        {"Data": b"one", "PartitionKey": "a"}, {"Data": b"two", "PartitionKey": "b"}]})
    assert status == 200 and out["FailedRecordCount"] == 0 and len(out["Records"]) == 2
    status, err = cbor_call(server, "DescribeStream", {"StreamName": "no-such-cbor"})
    assert status == 400 and err["__type"] == "ResourceNotFoundException", err
    status, err = cbor_call(server, "ListStreams", [1, 2, 3])  # a list where a map belongs
    assert status == 400 and err["__type"] == "SerializationException", err
    status, _, payload = server.raw("ListStreams", b"\xbf\x61", content_type=CBOR)  # truncated
    assert status == 400, payload


def test_json_response_headers(server):
    status, headers, payload = server.raw("ListStreams", {})
    assert status == 200
    assert headers["Content-Type"].startswith(JSON)
    assert headers.get("x-amzn-RequestId")
    assert int(headers["Content-Length"]) == len(payload)
    body = json.loads(payload)
    assert set(body) >= {"StreamNames", "HasMoreStreams"}


def test_json_timestamps_are_plain_decimal_seconds(server, kinesis):
    create_stream(kinesis, "json-ts")
    kinesis.put_record(StreamName="json-ts", Data=b"t", PartitionKey="k")
    _, it = server.raw_json("GetShardIterator", {"StreamName": "json-ts",
                                                 "ShardId": "shardId-000000000000",
                                                 "ShardIteratorType": "TRIM_HORIZON"})
    status, headers, payload = server.raw("GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert status == 200
    m = re.search(rb'"ApproximateArrivalTimestamp"\s*:\s*([^,}\s]+)', payload)
    assert m, payload[:300]
    # Java SDK v2 cannot parse exponent notation; AWS sends e.g. 1506440188.749
    assert re.fullmatch(rb"\d{10}(\.\d{1,3})?", m.group(1)), m.group(1)
    assert abs(float(m.group(1)) - time.time()) < 60
    assert base64.b64decode(json.loads(payload)["Records"][0]["Data"]) == b"t"


def test_cors_preflight_and_response_headers(server):
    origin = "http://console.example"
    status, headers, _ = server.raw(None, None, content_type=None, method="OPTIONS", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date,authorization"})
    assert status in (200, 204)
    assert headers.get("Access-Control-Allow-Origin") in ("*", origin)
    assert "POST" in headers.get("Access-Control-Allow-Methods", "").upper()
    allowed = headers.get("Access-Control-Allow-Headers", "").lower()
    assert allowed == "*" or all(h in allowed for h in ("content-type", "x-amz-target",
                                                        "authorization"))
    status, headers, _ = server.raw("ListStreams", {}, headers={"Origin": origin})
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") in ("*", origin)
    exposed = headers.get("Access-Control-Expose-Headers", "").lower()
    assert "x-amzn-requestid" in exposed


def metric_total(text, name):
    total, found = 0.0, False
    for line in text.splitlines():
        m = re.match(rf"{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)", line)
        if m:
            total += float(m.group(2))
            found = True
    return total if found else None


def test_metrics_count_records_in(server, kinesis):
    create_stream(kinesis, "metered", shards=2)
    status, headers, body = server.get("/metrics")
    assert status == 200
    assert headers.get("Content-Type", "").startswith("text/plain")
    before = metric_total(body.decode(), "sluice_records_in_total") or 0.0
    kinesis.put_records(StreamName="metered", Records=[
        {"Data": b"m", "PartitionKey": str(i)} for i in range(7)])
    kinesis.put_record(StreamName="metered", Data=b"m", PartitionKey="x")
    _, _, body = server.get("/metrics")
    text = body.decode()
    after = metric_total(text, "sluice_records_in_total")
    assert after is not None, "sluice_records_in_total missing from /metrics:\n" + text[:2000]
    assert after - before >= 8
    assert re.search(r"^# TYPE sluice_records_in_total counter", text, re.M), text[:2000]
