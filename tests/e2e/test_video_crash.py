# SPDX-License-Identifier: Apache-2.0
# Crash safety of video ingest: several concurrent PutMedia requests, the server killed by SIGKILL
# mid-stream, then restarted on the same data. Every fragment that got a PERSISTED ack must still
# be listed (ListFragments) and readable (GetMediaForFragmentList), and every listed fragment must
# decode completely with ffprobe: no torn fragment is ever visible. Ingest works again afterwards.
import time


from video_support import (PutMedia, create_video_stream, decode_frames, kvs_client, make_media,
                           media_endpoint, of_type, put_headers, split_chunks)

STREAMS = 3


def listed_numbers(server, name):
    endpoint = media_endpoint(server, name, "LIST_FRAGMENTS")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    numbers, token = [], None
    while True:
        kw = {"NextToken": token} if token else {"FragmentSelector": {
            "FragmentSelectorType": "SERVER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": 0, "EndTimestamp": time.time() + 60}}}
        r = archived.list_fragments(StreamName=name, **kw)
        numbers += [f["FragmentNumber"] for f in r["Fragments"]]
        token = r.get("NextToken")
        if not token:
            return sorted(numbers, key=int)


def read_fragments(server, name, numbers):
    endpoint = media_endpoint(server, name, "GET_MEDIA_FOR_FRAGMENT_LIST")
    archived = kvs_client(server, "kinesis-video-archived-media", endpoint)
    r = archived.get_media_for_fragment_list(StreamName=name, Fragments=numbers)
    return split_chunks(r["Payload"].read())


def check_all_decode(folder, chunks):
    for i, chunk in enumerate(chunks):
        assert b"AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE" not in chunk, f"chunk {i} is an error"
        path = folder / f"c{i}.mkv"
        path.write_bytes(chunk)
        assert decode_frames(path) == 25, f"fragment {i} does not decode to 25 frames"


def test_persisted_fragments_survive_sigkill(make_server, tmp_path):
    server = make_server()
    media = make_media(tmp_path, "h264", seconds=12)  # 12 one-second fragments
    body = media.read_bytes()
    names = [f"crash-{i}" for i in range(STREAMS)]
    for name in names:
        create_video_stream(server, name)
    uploads = []
    for name in names:
        pm = PutMedia(server.port, put_headers(name))
        pm.send_async(body, seconds=8.0)  # real-time-ish: the kill lands mid-stream
        uploads.append(pm)
    time.sleep(4.0)
    server.kill9()
    persisted = {}
    for name, pm in zip(names, uploads):
        pm.wait(timeout=10)
        pm.close()
        persisted[name] = [a["FragmentNumber"] for a in of_type([a for _, a in pm.acks],
                                                                  "PERSISTED")]
    assert any(persisted.values()), "no fragment was persisted before the kill"
    assert not all(len(p) == 12 for p in persisted.values()), "the kill came too late"

    server.start()
    for name in names:
        listed = listed_numbers(server, name)
        missing = set(persisted[name]) - set(listed)
        assert not missing, f"{name}: acknowledged fragments lost: {missing}"
        if not listed:
            continue
        folder = tmp_path / name
        folder.mkdir()
        chunks = read_fragments(server, name, listed)
        assert len(chunks) == len(listed)
        check_all_decode(folder, chunks)

    # Ingest works after the restart (timecodes keep increasing past the first upload).
    later = make_media(tmp_path, "h264", seconds=3, offset=20)
    pm = PutMedia(server.port, put_headers(names[0]))
    pm.send(later.read_bytes())
    assert len(of_type(pm.wait(), "PERSISTED")) == 3
