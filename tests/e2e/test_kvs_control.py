# SPDX-License-Identifier: Apache-2.0
# The Kinesis Video Streams control plane through boto3's `kinesisvideo` client against a live
# server: create/describe (404 -> ResourceNotFoundException), list with the paginator and a name
# condition, update and data retention with versions, GetDataEndpoint for every APIName, tags in
# both styles, delete; and ListFragments through `kinesis-video-archived-media` (both selector
# types, pagination) over fragments sent with PutMedia.
import datetime
import itertools
import os
import re

import pytest
from botocore.exceptions import ClientError

from video_support import PutMedia, kvs_client, make_media, of_type, put_headers

_names = itertools.count()
API_NAMES = ["PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
             "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP",
             "GET_IMAGES"]


def unique(prefix):
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def error_of(excinfo):
    r = excinfo.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def kvs(server):
    return kvs_client(server)


def version_of(kvs, name):
    return kvs.describe_stream(StreamName=name)["StreamInfo"]["Version"]


def test_create_describe_and_404(kvs):
    name = unique("cam")
    before = datetime.datetime.now(datetime.timezone.utc)
    arn = kvs.create_stream(StreamName=name, DeviceName="dev-1", MediaType="video/h264",
                            DataRetentionInHours=24, Tags={"site": "lab"})["StreamARN"]
    assert re.fullmatch(rf"arn:aws:kinesisvideo:us-east-1:\d{{12}}:stream/{re.escape(name)}/\d+",
                        arn)
    info = kvs.describe_stream(StreamName=name)["StreamInfo"]
    assert info["StreamName"] == name and info["StreamARN"] == arn
    assert info["DeviceName"] == "dev-1" and info["MediaType"] == "video/h264"
    assert info["Status"] == "ACTIVE" and info["DataRetentionInHours"] == 24
    assert re.fullmatch(r"[a-zA-Z0-9]{20}", info["Version"])
    assert info["KmsKeyId"].startswith("arn:aws:kms:us-east-1:")
    # boto3 parses the epoch-seconds number into an aware datetime.
    created = info["CreationTime"]
    assert isinstance(created, datetime.datetime)
    assert abs((created - before).total_seconds()) < 60
    assert kvs.describe_stream(StreamARN=arn)["StreamInfo"]["StreamName"] == name

    with pytest.raises(kvs.exceptions.ResourceNotFoundException) as e:
        kvs.describe_stream(StreamName=unique("missing"))
    assert error_of(e) == ("ResourceNotFoundException", 404)
    with pytest.raises(kvs.exceptions.ResourceInUseException):
        kvs.create_stream(StreamName=name)
    with pytest.raises(kvs.exceptions.InvalidArgumentException):
        kvs.create_stream(StreamName="bad name")


def test_list_streams_paginator_and_condition(kvs):
    prefix = unique("lst")
    names = sorted(f"{prefix}-{i}" for i in range(5))
    for n in names:
        kvs.create_stream(StreamName=n)
    first = kvs.list_streams(MaxResults=2, StreamNameCondition={
        "ComparisonOperator": "BEGINS_WITH", "ComparisonValue": prefix})
    assert [s["StreamName"] for s in first["StreamInfoList"]] == names[:2]
    assert first["NextToken"]
    pages = kvs.get_paginator("list_streams").paginate(
        StreamNameCondition={"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": prefix},
        PaginationConfig={"PageSize": 2})
    seen = [s["StreamName"] for page in pages for s in page["StreamInfoList"]]
    assert seen == names
    everything = [s["StreamName"] for s in kvs.list_streams()["StreamInfoList"]]
    assert set(names) <= set(everything)
    with pytest.raises(ClientError) as e:
        kvs.list_streams(NextToken="bm9wZQ-")
    assert error_of(e) == ("InvalidArgumentException", 400)


def test_update_stream_and_version_mismatch(kvs):
    name = unique("upd")
    kvs.create_stream(StreamName=name, DeviceName="d1", MediaType="video/h264")
    v1 = version_of(kvs, name)
    kvs.update_stream(StreamName=name, CurrentVersion=v1, DeviceName="d2",
                      MediaType="video/h265")
    info = kvs.describe_stream(StreamName=name)["StreamInfo"]
    assert info["DeviceName"] == "d2" and info["MediaType"] == "video/h265"
    assert info["Version"] != v1
    with pytest.raises(kvs.exceptions.VersionMismatchException) as e:
        kvs.update_stream(StreamName=name, CurrentVersion=v1, DeviceName="d3")
    assert error_of(e) == ("VersionMismatchException", 400)
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        kvs.update_stream(StreamName=unique("missing"), CurrentVersion=v1)


def test_update_data_retention(kvs):
    name = unique("ret")
    kvs.create_stream(StreamName=name, DataRetentionInHours=2)
    kvs.update_data_retention(StreamName=name, CurrentVersion=version_of(kvs, name),
                              Operation="INCREASE_DATA_RETENTION", DataRetentionChangeInHours=22)
    assert kvs.describe_stream(StreamName=name)["StreamInfo"]["DataRetentionInHours"] == 24
    kvs.update_data_retention(StreamName=name, CurrentVersion=version_of(kvs, name),
                              Operation="DECREASE_DATA_RETENTION", DataRetentionChangeInHours=23)
    assert kvs.describe_stream(StreamName=name)["StreamInfo"]["DataRetentionInHours"] == 1
    with pytest.raises(kvs.exceptions.InvalidArgumentException):
        kvs.update_data_retention(StreamName=name, CurrentVersion=version_of(kvs, name),
                                  Operation="DECREASE_DATA_RETENTION",
                                  DataRetentionChangeInHours=2)
    with pytest.raises(kvs.exceptions.VersionMismatchException):
        kvs.update_data_retention(StreamName=name, CurrentVersion="stale0version",
                                  Operation="INCREASE_DATA_RETENTION",
                                  DataRetentionChangeInHours=1)


def test_get_data_endpoint_is_this_server(server, kvs):
    name = unique("ep")
    arn = kvs.create_stream(StreamName=name)["StreamARN"]
    for api in API_NAMES:
        assert kvs.get_data_endpoint(StreamName=name, APIName=api)["DataEndpoint"] == \
            server.endpoint_url, api
    assert kvs.get_data_endpoint(StreamARN=arn, APIName="PUT_MEDIA")["DataEndpoint"] == \
        server.endpoint_url
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        kvs.get_data_endpoint(StreamName=unique("missing"), APIName="GET_MEDIA")


def test_tags_both_styles(kvs):
    name = unique("tag")
    arn = kvs.create_stream(StreamName=name, Tags={"a": "1"})["StreamARN"]
    kvs.tag_stream(StreamName=name, Tags={"b": "2"})
    assert kvs.list_tags_for_stream(StreamName=name)["Tags"] == {"a": "1", "b": "2"}
    kvs.tag_resource(ResourceARN=arn, Tags=[{"Key": "c", "Value": "3"}])
    assert kvs.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"a": "1", "b": "2", "c": "3"}
    kvs.untag_stream(StreamARN=arn, TagKeyList=["a"])
    kvs.untag_resource(ResourceARN=arn, TagKeyList=["b"])
    assert kvs.list_tags_for_stream(StreamARN=arn)["Tags"] == {"c": "3"}
    assert kvs.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"c": "3"}
    kvs.tag_stream(StreamName=name, Tags={f"k{i}": "v" for i in range(49)})
    with pytest.raises(kvs.exceptions.TagsPerResourceExceededLimitException):
        kvs.tag_resource(ResourceARN=arn, Tags=[{"Key": "one-more", "Value": "x"}])
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        kvs.list_tags_for_stream(StreamName=unique("missing"))


def test_delete_stream(kvs):
    name = unique("del")
    arn = kvs.create_stream(StreamName=name)["StreamARN"]
    with pytest.raises(kvs.exceptions.VersionMismatchException):
        kvs.delete_stream(StreamARN=arn, CurrentVersion="notTheVersion")
    kvs.delete_stream(StreamARN=arn, CurrentVersion=version_of(kvs, name))
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        kvs.describe_stream(StreamName=name)
    with pytest.raises(kvs.exceptions.ResourceNotFoundException):
        kvs.delete_stream(StreamARN=arn)


# --- ListFragments ------------------------------------------------------------------------------
def put_media(server, name, path):
    """Sends an MKV file through POST /putMedia; skips when that route is not served."""
    pm = PutMedia(server.port, put_headers(name))
    pm.send_async(path.read_bytes())
    acks = pm.wait()
    pm.close()
    if pm.status == 404:
        pytest.skip("POST /putMedia is not served by this build")
    assert pm.status == 200, acks
    persisted = of_type(acks, "PERSISTED")
    assert not of_type(acks, "ERROR"), acks
    return [p["FragmentNumber"] for p in persisted]


def list_all(archived, **kw):
    """Every fragment through the paginator (which resends NextToken with the first members)."""
    pages = list(archived.get_paginator("list_fragments").paginate(**kw))
    return [f for page in pages for f in page["Fragments"]], len(pages)


def test_list_fragments(server, kvs, tmp_path):
    media = make_media(tmp_path, "h264", seconds=6)
    name = unique("frag")
    kvs.create_stream(StreamName=name, DataRetentionInHours=24, MediaType="video/h264")
    before = datetime.datetime.now(datetime.timezone.utc)
    numbers = put_media(server, name, media)
    assert len(numbers) == 6
    endpoint = kvs.get_data_endpoint(StreamName=name, APIName="LIST_FRAGMENTS")["DataEndpoint"]
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    now = datetime.datetime.now(datetime.timezone.utc)

    # SERVER_TIMESTAMP: everything that arrived during the upload, two per page.
    server_range = {"StartTimestamp": before - datetime.timedelta(seconds=5),
                    "EndTimestamp": now + datetime.timedelta(seconds=5)}
    frags, pages = list_all(archived, StreamName=name, PaginationConfig={"PageSize": 2},
                            FragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP",
                                              "TimestampRange": server_range})
    assert pages >= 3
    assert sorted(f["FragmentNumber"] for f in frags) == sorted(numbers)
    for f in frags:
        assert f["FragmentSizeInBytes"] > 0
        assert 0 < f["FragmentLengthInMilliseconds"] <= 1000
        assert isinstance(f["ServerTimestamp"], datetime.datetime)
        assert before - datetime.timedelta(seconds=5) <= f["ServerTimestamp"] <= now

    # PRODUCER_TIMESTAMP: the fragments whose producer time (start + cluster timecode) starts in
    # [start + 1 s, start + 3 s]: three of them, by the low-level call and NextToken alone.
    producer = sorted(f["ProducerTimestamp"] for f in frags)
    lo, hi = producer[1], producer[3]
    out = archived.list_fragments(StreamARN=kvs.describe_stream(StreamName=name)["StreamInfo"][
        "StreamARN"], MaxResults=1, FragmentSelector={
            "FragmentSelectorType": "PRODUCER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": lo, "EndTimestamp": hi}})
    got = [f["FragmentNumber"] for f in out["Fragments"]]
    while "NextToken" in out:
        out = archived.list_fragments(StreamName=name, MaxResults=1, NextToken=out["NextToken"])
        got += [f["FragmentNumber"] for f in out["Fragments"]]
    assert got == numbers[1:4]

    with pytest.raises(archived.exceptions.ResourceNotFoundException):
        archived.list_fragments(StreamName=unique("missing"), FragmentSelector={
            "FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": server_range})
    with pytest.raises(archived.exceptions.InvalidArgumentException):
        archived.list_fragments(StreamName=name)
