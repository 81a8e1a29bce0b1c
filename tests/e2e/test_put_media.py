# SPDX-License-Identifier: Apache-2.0
# PutMedia, GetMedia and GetMediaForFragmentList against a live server: full-duplex acks while the
# body is still being sent (raw client, paced in real time), ffmpeg's own chunked POST upload, the
# BUFFERING/RECEIVED/PERSISTED acks of every fragment, read-back through boto3 (GetMedia from the
# data endpoint, GetMediaForFragmentList) with ffprobe decoding the same frames and timestamps as
# the input, header errors before the 200, IDLE acks, the one-connection-per-stream limit, and bad
# input (garbage, non-increasing timecodes) answered by ERROR acks while earlier fragments stay
# readable.
import subprocess
import time

import pytest

from video_support import (PutMedia, chunk_packets, create_video_stream, kvs_client, make_media,
                           media_endpoint, of_type, probe_packets, put_headers, split_chunks)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    return {"folder": folder, "h264": make_media(folder, "h264"),
            "h265": make_media(folder, "h265")}


def put_file(server, name, path, seconds=0.0):
    pm = PutMedia(server.port, put_headers(name))
    sender = pm.send_async(path.read_bytes(), seconds=seconds)
    acks = pm.wait()
    sender.join(10)
    assert pm.status == 200
    return pm, acks


def check_acks(acks, fragments):
    persisted = of_type(acks, "PERSISTED")
    assert len(persisted) == fragments, acks
    assert not of_type(acks, "ERROR"), acks
    for p in persisted:  # each fragment: BUFFERING, then RECEIVED, then PERSISTED
        kinds = [a["EventType"] for a in acks if a.get("FragmentTimecode") == p["FragmentTimecode"]]
        assert kinds == ["BUFFERING", "RECEIVED", "PERSISTED"], (p, acks)
        assert p["FragmentNumber"].isdigit()
    numbers = [int(p["FragmentNumber"]) for p in persisted]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    return [p["FragmentNumber"] for p in persisted]


def fragment_list_payload(server, name, numbers):
    endpoint = media_endpoint(server, name, "GET_MEDIA_FOR_FRAGMENT_LIST")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    r = archived.get_media_for_fragment_list(StreamName=name, Fragments=numbers)
    assert r["ContentType"] == "video/webm"
    return r["Payload"].read()


def read_chunks(response, want_chunks):
    """GetMedia never ends while the stream lives: read HTTP chunks (the server writes one MKV
    chunk per HTTP chunk) until `want_chunks` fragments arrived."""
    payload = b""
    stream = response["Payload"]._raw_stream
    for part in stream.read_chunked(decode_content=False):
        payload += part
        if len(split_chunks(payload)) >= want_chunks:
            break
    response["Payload"].close()
    return payload


def get_media(server, name, selector):
    endpoint = media_endpoint(server, name, "GET_MEDIA")
    client = kvs_client(server, "kinesis-video-media", endpoint, read_timeout=20)
    r = client.get_media(StreamName=name, StartSelector=selector)
    assert r["ContentType"] == "video/webm"
    return r


@pytest.mark.parametrize("codec", ["h264", "h265"])
def test_acks_stream_while_the_body_is_sent_and_media_reads_back(server, media, codec, tmp_path):
    name = f"duplex-{codec}"
    create_video_stream(server, name)
    pm, acks = put_file(server, name, media[codec], seconds=4.0)
    numbers = check_acks(acks, 6)
    # Full duplex: the first fragments were persisted and acknowledged while the body was sent.
    first_persisted = next(t for t, a in pm.acks if a["EventType"] == "PERSISTED")
    assert first_persisted < pm.body_done_at - 1.0, "acks only arrived after the body ended"

    expected = probe_packets(media[codec])
    listed = split_chunks(fragment_list_payload(server, name, numbers))
    assert len(listed) == 6
    (tmp_path / "list").mkdir()
    assert chunk_packets(tmp_path / "list", listed) == expected

    (tmp_path / "get").mkdir()
    got = split_chunks(read_chunks(get_media(server, name, {"StartSelectorType": "EARLIEST"}), 6))
    assert len(got) >= 6
    assert chunk_packets(tmp_path / "get", got[:6]) == expected
    assert all(b"AWS_KINESISVIDEO_FRAGMENT_NUMBER" in c for c in got[:6])


def test_get_media_follows_the_live_tail(server, media, tmp_path):
    name = "live-tail"
    create_video_stream(server, name)
    r = get_media(server, name, {"StartSelectorType": "NOW"})
    pm = PutMedia(server.port, put_headers(name))
    pm.send_async(media["h264"].read_bytes(), seconds=3.0)
    payload = read_chunks(r, 6)
    check_acks(pm.wait(), 6)
    (tmp_path / "tail").mkdir()
    assert chunk_packets(tmp_path / "tail", split_chunks(payload)[:6]) == probe_packets(
        media["h264"])


def test_ffmpeg_chunked_post_upload(server, media, tmp_path):
    name = "ffmpeg-upload"
    create_video_stream(server, name)
    headers = "".join(f"{k}: {v}\r\n" for k, v in put_headers(name).items())
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-re", "-i", str(media["h265"]), "-c", "copy",
         "-f", "matroska", "-method", "POST", "-chunked_post", "1", "-headers", headers,
         f"{server.endpoint_url}/putMedia"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # ffmpeg never reads the acks: at the end it reads at most 1 KiB of the response and closes,
    # so its close resets the connection and the kernel may drop the last body bytes. Every
    # fragment but the last must be there; those that are must match the input exactly.
    deadline = time.monotonic() + 10
    while len(fragments := list_fragment_numbers(server, name)) < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(fragments) >= 5
    (tmp_path / "ff").mkdir()
    chunks = split_chunks(fragment_list_payload(server, name, fragments))
    got = chunk_packets(tmp_path / "ff", chunks)
    assert got == probe_packets(media["h265"])[:len(got)]
    assert len(got) >= 100  # five of the six one-second fragments


def list_fragment_numbers(server, name):
    endpoint = media_endpoint(server, name, "LIST_FRAGMENTS")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    r = archived.list_fragments(StreamName=name, FragmentSelector={
        "FragmentSelectorType": "SERVER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": 0, "EndTimestamp": time.time() + 60}})
    return sorted((f["FragmentNumber"] for f in r["Fragments"]), key=int)


def test_unknown_fragment_number_gives_an_error_chunk(server, media):
    name = "list-unknown"
    create_video_stream(server, name)
    _, acks = put_file(server, name, media["h264"])
    numbers = check_acks(acks, 6)
    payload = fragment_list_payload(server, name, [numbers[0], "12345678901234567890", numbers[1]])
    chunks = split_chunks(payload)
    assert len(chunks) == 3
    assert b"AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE" in chunks[1]
    assert b"AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE" not in chunks[0] + chunks[2]


@pytest.fixture(scope="module")
def hdr_stream(server):
    return create_video_stream(server, "hdr")


@pytest.mark.parametrize("headers,status,error", [
    ({"x-amzn-fragment-timecode-type": "ABSOLUTE",
      "x-amzn-producer-start-timestamp": "1597730826.769"}, 400, "InvalidArgumentException"),
    ({"x-amzn-stream-name": "no-such-stream", "x-amzn-fragment-timecode-type": "ABSOLUTE",
      "x-amzn-producer-start-timestamp": "1597730826.769"}, 404, "ResourceNotFoundException"),
    ({"x-amzn-stream-name": "hdr", "x-amzn-fragment-timecode-type": "SOMETIMES",
      "x-amzn-producer-start-timestamp": "1597730826.769"}, 400, "InvalidArgumentException"),
    ({"x-amzn-stream-name": "hdr", "x-amzn-fragment-timecode-type": "ABSOLUTE",
      "x-amzn-producer-start-timestamp": "yesterday"}, 400, "InvalidArgumentException"),
    ({"x-amzn-stream-name": "hdr", "x-amzn-stream-arn": "arn:aws:kinesisvideo:x",
      "x-amzn-fragment-timecode-type": "ABSOLUTE",
      "x-amzn-producer-start-timestamp": "1597730826.71"}, 400, "InvalidArgumentException"),
])
def test_bad_headers_are_answered_before_streaming(server, hdr_stream, headers, status, error):
    s, h, body = server.raw(None, b"", content_type=None, headers=headers, path="/putMedia")
    assert s == status, body
    assert h["x-amzn-ErrorType"] == error
    assert b'"Message"' in body


def test_idle_acks_while_the_body_is_silent(server, media):
    name = "idle"
    create_video_stream(server, name)
    pm = PutMedia(server.port, put_headers(name))
    data = media["h264"].read_bytes()
    pm.send(data[:4096], finish=False)
    time.sleep(7)
    assert of_type([a for _, a in pm.acks], "IDLE"), pm.acks
    pm.send(data[4096:])
    acks = pm.wait()
    assert len(of_type(acks, "PERSISTED")) == 6


def test_one_put_media_connection_per_stream(server, media):
    name = "one-conn"
    create_video_stream(server, name)
    first = PutMedia(server.port, put_headers(name))
    first.send(media["h264"].read_bytes()[:4096], finish=False)
    time.sleep(0.3)
    s, h, _ = server.raw(None, b"", content_type=None, headers=put_headers(name),
                         path="/putMedia")
    assert s == 400 and h["x-amzn-ErrorType"] == "ConnectionLimitExceededException"
    first.send(media["h264"].read_bytes()[4096:])
    assert len(of_type(first.wait(), "PERSISTED")) == 6
    _, acks = put_file(server, name, make_media(media["folder"], "h264", offset=6))
    assert len(of_type(acks, "PERSISTED")) == 6  # the limit is released when a request ends


def test_garbage_body_gives_invalid_mkv_data(server):
    name = "garbage"
    create_video_stream(server, name)
    pm = PutMedia(server.port, put_headers(name))
    pm.send(b"this is not matroska at all" * 100)
    errors = of_type(pm.wait(), "ERROR")
    assert errors and errors[0]["ErrorId"] == 4006, errors


def test_non_increasing_timecodes_keep_earlier_fragments(server, media, tmp_path):
    name = "timecodes"
    create_video_stream(server, name)
    body = media["h264"].read_bytes()
    pm = PutMedia(server.port, put_headers(name))
    pm.send(body + body)  # the second copy starts again at timecode 0
    acks = pm.wait()
    errors = of_type(acks, "ERROR")
    assert errors and all(e["ErrorId"] == 4004 for e in errors), errors
    numbers = [p["FragmentNumber"] for p in of_type(acks, "PERSISTED")]
    assert len(numbers) == 6
    (tmp_path / "tc").mkdir()
    chunks = split_chunks(fragment_list_payload(server, name, numbers))
    assert chunk_packets(tmp_path / "tc", chunks) == probe_packets(media["h264"])


def test_curl_chunked_upload(server, media, tmp_path):
    """curl as a producer: `-T -` from stdin sends Transfer-Encoding: chunked; every fragment of
    the file is PERSISTED and reads back frame-exact."""
    import json
    name = "curl-upload"
    create_video_stream(server, name)
    headers = []
    for k, v in put_headers(name, timecode="RELATIVE").items():
        headers += ["-H", f"{k}: {v}"]
    with open(media["h264"], "rb") as body:
        out = subprocess.run(["curl", "-sS", "--fail-with-body", "-X", "POST", *headers,
                              "-H", "Transfer-Encoding: chunked", "-T", "-",
                              f"http://127.0.0.1:{server.port}/putMedia"],
                             stdin=body, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    acks = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    numbers = check_acks(acks, 6)
    listed = split_chunks(fragment_list_payload(server, name, numbers))
    (tmp_path / "curl").mkdir()
    assert chunk_packets(tmp_path / "curl", listed) == probe_packets(media["h264"])
