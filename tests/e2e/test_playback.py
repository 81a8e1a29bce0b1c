# SPDX-License-Identifier: Apache-2.0
# Playback against a live server, through boto3's kinesis-video-archived-media client from the
# data endpoint: HLS sessions in LIVE, LIVE_REPLAY and ON_DEMAND with fMP4 and MPEG-TS, DASH, GetClip
# and GetImages, for H.264, H.265 and H.264 + AAC media made with ffmpeg and ingested through
# PutMedia. ffprobe reads the session URLs itself and must find the ingested codec, resolution and
# frame count; playlists carry the ingested timestamps. Also: forged tokens (403), empty ranges,
# bad requests, a LIVE playlist picking up a new fragment, the LL-HLS blocking reload, and session
# URLs that survive a restart.
import base64
import datetime
import json
import re
import threading
import time
import urllib.request

import pytest

from playback_support import (FPS, LIVE_HLS, SECONDS, archived_client, create_stream, epoch_ms,
                              extinf_count, ffprobe, fragment_numbers, fragments, get_text,
                              http_get, ingest, make_av_media, make_h265_media,
                              media_playlist_urls, packets, probe_bytes, program_date_times,
                              query_param, streams_of, uris, wait_for, whole_seconds, with_query)
from video_support import kvs_client, make_media

UTC = datetime.timezone.utc
VIDEO_CODEC = {"h264": "h264", "h265": "hevc", "h264_aac": "h264"}
RFC6381 = {"h264": ("avc1.",), "h265": ("hvc1.", "hev1."), "h264_aac": ("avc1.",)}


class Ingested:
    """A stream holding one media file: its name, the fragments and what the file holds."""

    def __init__(self, server, codec, name, path, numbers):
        self.codec = codec
        self.name = name
        self.path = path
        self.numbers = numbers
        self.fragments = fragments(server, name)
        source = ffprobe(path)
        self.video_packets = packets(source, "video")
        self.audio_packets = packets(source, "audio")
        self.has_audio = self.audio_packets > 0

    def producer_ms(self):
        return [epoch_ms(f["ProducerTimestamp"]) for f in self.fragments]

    def server_ms(self):
        return [epoch_ms(f["ServerTimestamp"]) for f in self.fragments]

    def indexed_seconds(self):
        """The stream's length by the index: 6 s for the video-only files."""
        seconds = sum(f["FragmentLengthInMilliseconds"] for f in self.fragments) / 1000
        if not self.has_audio:
            assert seconds == pytest.approx(SECONDS, abs=0.01)
        return seconds

    def producer_range(self):
        """Every fragment, by producer time, in whole seconds."""
        ms = self.producer_ms()
        return {"StartTimestamp": whole_seconds(ms[0]), "EndTimestamp": whole_seconds(ms[-1], True)}


@pytest.fixture(scope="module")
def ingested(server, tmp_path_factory):
    """ingested(codec, fresh=False) -> Ingested: one stream per codec for the whole module, or
    with `fresh` a new stream just now (LIVE sessions need media of the last 30 s). Producer time
    starts an hour ago (RELATIVE timecodes) on a whole second, so the two axes differ."""
    folder = tmp_path_factory.mktemp("media")
    cache = {}
    count = [0]

    def get(codec, fresh=False):
        if fresh or codec not in cache:
            path = {"h264": lambda: make_media(folder, "h264"), "h265": lambda: make_h265_media(folder),
                    "h264_aac": lambda: make_av_media(folder)}[codec]()
            count[0] += 1
            name = f"play-{codec.replace('_', '-')}-{count[0]}"
            create_stream(server, name, "video/h264,audio/aac" if codec == "h264_aac" else
                          "video/h265" if codec == "h265" else "video/h264")
            numbers = ingest(server, name, path, producer_start=int(time.time()) - 3600)
            assert len(numbers) == SECONDS
            made = Ingested(server, codec, name, path, numbers)
            if fresh:
                return made
            cache[codec] = made
        return cache[codec]

    return get


def hls_url(server, stream, **kw):
    archived = archived_client(server, stream, "GET_HLS_STREAMING_SESSION_URL")
    return archived.get_hls_streaming_session_url(StreamName=stream, **kw)["HLSStreamingSessionURL"]


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def check_probe(s, probe, duration=None, audio_slack=0):
    """The probe holds the ingested video (codec, size, every frame) and audio (every packet,
    less `audio_slack`), and lasts `duration` seconds when given."""
    videos = streams_of(probe, "video")
    assert len(videos) == 1, probe
    assert videos[0]["codec_name"] == VIDEO_CODEC[s.codec]
    assert (videos[0]["width"], videos[0]["height"]) == (320, 240)
    assert packets(probe, "video") == s.video_packets == SECONDS * FPS
    if s.has_audio:
        assert [a["codec_name"] for a in streams_of(probe, "audio")] == ["aac"]
        assert s.audio_packets - audio_slack <= packets(probe, "audio") <= s.audio_packets
    else:
        assert not streams_of(probe, "audio")
    if duration is not None:
        assert float(probe["format"]["duration"]) == pytest.approx(duration, abs=0.15), probe


# --- HLS ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["h264", "h265", "h264_aac"])
@pytest.mark.parametrize("container", ["FRAGMENTED_MP4", "MPEG_TS"])
@pytest.mark.parametrize("mode", ["LIVE", "LIVE_REPLAY", "ON_DEMAND"])
def test_hls_session_plays(server, ingested, codec, container, mode):
    s = ingested(codec, fresh=mode == "LIVE")
    kw = {"PlaybackMode": mode, "ContainerFormat": container, "DisplayFragmentTimestamp": "ALWAYS",
          "Expires": 900, "MaxMediaPlaylistFragmentResults": 10}  # the (newest) 10: all six
    if mode == "LIVE":
        axis_ms = s.server_ms()  # LIVE lists by server time, and shows it
    else:
        kw["HLSFragmentSelector"] = {"FragmentSelectorType": "PRODUCER_TIMESTAMP",
                                     "TimestampRange": s.producer_range()}
        axis_ms = s.producer_ms()
    url = hls_url(server, s.name, **kw)
    assert url.startswith(server.endpoint_url + "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=")

    if mode == "LIVE_REPLAY":
        # The replay starts on the whole second before the first fragment: until it reaches that
        # fragment the session has nothing to list.
        assert wait_for(lambda: http_get(url)[0] == 200, timeout_s=10)
    headers, master = get_text(url)
    assert headers["Content-Type"] in ("application/vnd.apple.mpegurl", "application/x-mpegURL")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert master.startswith("#EXTM3U")
    inf = re.search(r"^#EXT-X-STREAM-INF:(.*)$", master, re.M).group(1)
    assert "RESOLUTION=320x240" in inf
    codecs = re.search(r'CODECS="([^"]+)"', inf).group(1).split(",")
    assert codecs[0].startswith(RFC6381[codec]), inf
    if s.has_audio:
        assert any(c.startswith("mp4a.40.") for c in codecs), inf

    playlists = media_playlist_urls(master, url)
    tracks = [query_param(p, "TrackNumber") for p in playlists]
    assert tracks == (["1", "2"] if s.has_audio and container == "FRAGMENTED_MP4" else ["1"])

    def complete(playlist_url):
        """The media playlist once it lists every fragment (LIVE_REPLAY adds them as their
        time comes), else None."""
        text = get_text(playlist_url)[1]
        return text if extinf_count(text) == SECONDS else None

    for playlist_url in playlists:
        media = wait_for(lambda: complete(playlist_url), timeout_s=60)
        assert media, get_text(playlist_url)[1]
        assert fragment_numbers(media) == s.numbers
        assert program_date_times(media) == axis_ms
        # EXTINF: each fragment's duration as the index has it.
        extinf = [round(float(d) * 1000) for d in re.findall(r"^#EXTINF:([0-9.]+),", media, re.M)]
        assert extinf == [f["FragmentLengthInMilliseconds"] for f in s.fragments]
    if mode == "ON_DEMAND":
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in media and "#EXT-X-ENDLIST" in media
    if container == "MPEG_TS":
        assert "getTSFragment.ts?" in media and "#EXT-X-MAP" not in media
    else:
        assert "getMP4MediaFragment.mp4?" in media and "#EXT-X-MAP:URI=" in media

    probe = ffprobe(url, *(() if mode == "ON_DEMAND" else LIVE_HLS))
    # A VOD playlist lasts as long as its EXTINFs say.
    check_probe(s, probe, duration=s.indexed_seconds() if mode == "ON_DEMAND" else None)


def test_hls_segments_and_cache_headers(server, ingested):
    s = ingested("h264")
    url = hls_url(server, s.name, PlaybackMode="ON_DEMAND", HLSFragmentSelector={
        "FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": s.producer_range()})
    _, master = get_text(url)
    _, media = get_text(media_playlist_urls(master, url)[0])
    segment_urls = uris(media, url)
    init = http_get(segment_urls[0])
    assert "getMP4InitFragment.mp4" in segment_urls[0]
    assert init[0] == 200 and init[1]["Content-Type"] == "video/mp4"
    assert init[2][4:8] == b"ftyp" and b"moov" in init[2]
    seg = http_get(segment_urls[1])
    assert seg[0] == 200 and seg[1]["Content-Type"] == "video/mp4"
    assert b"moof" in seg[2] and b"mdat" in seg[2]
    assert "max-age" in seg[1]["Cache-Control"]
    assert seg[1]["Access-Control-Allow-Origin"] == "*"
    # HEAD answers the same headers without a body.
    req = urllib.request.Request(segment_urls[1], method="HEAD")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "video/mp4" and r.read() == b""
    # A live playlist must not be cached.
    live = hls_url(server, ingested("h264", fresh=True).name, PlaybackMode="LIVE")
    _, live_master = get_text(live)
    headers, _ = get_text(media_playlist_urls(live_master, live)[0])
    assert "no-cache" in headers["Cache-Control"]


def test_hls_server_timestamps_and_stream_arn(server, ingested):
    s = ingested("h264")
    archived = archived_client(server, s.name, "GET_HLS_STREAMING_SESSION_URL")
    arn = kvs_client(server).describe_stream(StreamName=s.name)["StreamInfo"]["StreamARN"]
    server_ms = s.server_ms()
    # Whole seconds on the wire: from the second of the first fragment to a moment after the last
    # (EndTimestamp must be in the past for SERVER_TIMESTAMP).
    wait_for(lambda: time.time() > server_ms[-1] / 1000 + 1.1)
    rng = {"StartTimestamp": s.fragments[0]["ServerTimestamp"].replace(microsecond=0),
           "EndTimestamp": datetime.datetime.now(UTC)}
    url = archived.get_hls_streaming_session_url(
        StreamARN=arn, PlaybackMode="ON_DEMAND", DisplayFragmentTimestamp="ALWAYS",
        HLSFragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": rng},
    )["HLSStreamingSessionURL"]
    _, master = get_text(url)
    _, media = get_text(media_playlist_urls(master, url)[0])
    assert program_date_times(media) == server_ms
    # SERVER_TIMESTAMP defaults to a discontinuity between every fragment.
    assert media.count("#EXT-X-DISCONTINUITY\n") == SECONDS - 1


# --- DASH ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["h264", "h265", "h264_aac"])
def test_dash_manifest_plays(server, ingested, codec):
    s = ingested(codec)
    archived = archived_client(server, s.name, "GET_DASH_STREAMING_SESSION_URL")
    url = archived.get_dash_streaming_session_url(
        StreamName=s.name, PlaybackMode="ON_DEMAND", DisplayFragmentNumber="ALWAYS",
        DisplayFragmentTimestamp="ALWAYS",
        DASHFragmentSelector={"FragmentSelectorType": "PRODUCER_TIMESTAMP",
                              "TimestampRange": s.producer_range()})["DASHStreamingSessionURL"]
    assert url.startswith(server.endpoint_url + "/dash/v1/getDASHManifest.mpd?SessionToken=")
    headers, mpd = get_text(url)
    assert headers["Content-Type"] == "application/dash+xml"
    assert re.findall(r'kvs:fn="(\d+)"', mpd)[:SECONDS] == s.numbers
    assert [int(t) for t in re.findall(r'kvs:ts="(\d+)"', mpd)[:SECONDS]] == s.producer_ms()
    # ffmpeg's DASH demuxer sizes its URL buffer from the manifest URL's length (rounded up to 64)
    # and cuts longer segment URLs: a longer manifest URL (the server ignores unknown
    # parameters) leaves room for the segment URLs. Its demuxer also drops one audio packet where
    # segments meet.
    padded = url + "&pad=" + "0" * 96
    check_probe(s, ffprobe(padded), duration=SECONDS, audio_slack=1)


# --- GetClip ------------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["h264", "h265", "h264_aac"])
def test_get_clip(server, ingested, codec, tmp_path):
    s = ingested(codec)
    archived = archived_client(server, s.name, "GET_CLIP")
    out = archived.get_clip(StreamName=s.name, ClipFragmentSelector={
        "FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": s.producer_range()})
    assert out["ContentType"] == "video/mp4"
    data = out["Payload"].read()
    assert data[4:8] == b"ftyp"
    check_probe(s, probe_bytes(tmp_path, "clip.mp4", data), duration=SECONDS)

    # Fragments 3..5 (inclusive, by their start): three seconds, in whole seconds.
    p = s.producer_ms()
    lo, hi = whole_seconds(p[2]), whole_seconds(p[4], up=True)
    assert p[1] < epoch_ms(lo) <= p[2] and p[4] <= epoch_ms(hi) < p[5]
    part = archived.get_clip(StreamName=s.name, ClipFragmentSelector={
        "FragmentSelectorType": "PRODUCER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": lo, "EndTimestamp": hi}})
    probe = probe_bytes(tmp_path, "part.mp4", part["Payload"].read())
    assert packets(probe, "video") == 3 * FPS
    assert float(probe["format"]["duration"]) == pytest.approx(3.0, abs=0.15)


# --- GetImages ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt,size", [("JPEG", (160, 120)), ("PNG", (160, None))])
def test_get_images(server, ingested, tmp_path, fmt, size):
    s = ingested("h264")
    archived = archived_client(server, s.name, "GET_IMAGES")
    media_start = s.fragments[0]["ProducerTimestamp"]  # a whole second (h264 only)
    start = media_start - datetime.timedelta(seconds=4)
    kw = {"StreamName": s.name, "ImageSelectorType": "PRODUCER_TIMESTAMP",
          "StartTimestamp": start, "EndTimestamp": start + datetime.timedelta(seconds=12),
          "SamplingInterval": 4000, "Format": fmt, "WidthPixels": size[0]}
    if size[1]:
        kw["HeightPixels"] = size[1]
    if fmt == "JPEG":
        kw["FormatConfig"] = {"JPEGQuality": "70"}
    images = []
    out = archived.get_images(**kw)
    images += out["Images"]
    while out.get("NextToken"):
        out = archived.get_images(**kw, NextToken=out["NextToken"])
        images += out["Images"]
    # One entry per instant, media starting at +4 s for six seconds: -4 s and +8 s hold none.
    stamps = [epoch_ms(i["TimeStamp"]) - epoch_ms(media_start) for i in images]
    assert stamps == [-4000, 0, 4000, 8000], images
    assert [i.get("Error") for i in images] == ["NO_MEDIA", None, None, "NO_MEDIA"], images
    with_media = [i for i in images if "ImageContent" in i]
    assert len(with_media) == 2
    for n, image in enumerate(with_media):
        raw = base64.b64decode(image["ImageContent"])
        probe = probe_bytes(tmp_path, f"image-{n}.{fmt.lower()}", raw)
        video = streams_of(probe, "video")[0]
        assert video["codec_name"] == ("mjpeg" if fmt == "JPEG" else "png")
        # Only the width given: the aspect ratio (4:3) is kept.
        assert (video["width"], video["height"]) == (160, 120)


# --- errors -------------------------------------------------------------------------------------
def test_forged_and_altered_tokens_are_refused(server, ingested):
    s = ingested("h264")
    selector = {"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": s.producer_range()}
    url = hls_url(server, s.name, PlaybackMode="ON_DEMAND", HLSFragmentSelector=selector)
    token = query_param(url, "SessionToken")
    assert get_text(url)
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (flipped, token[:-1], "bm90IGEgdG9rZW4", ""):
        status, headers, body = http_get(with_query(url, SessionToken=bad))
        assert status == 403, (bad, status, body)
        assert headers["x-amzn-ErrorType"] == "NotAuthorizedException"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "Streaming session token" in json.loads(body)["Message"]
    # The same for a segment and for DASH.
    _, master = get_text(url)
    media_url = media_playlist_urls(master, url)[0]
    status, _, _ = http_get(with_query(media_url, SessionToken=flipped))
    assert status == 403
    archived = archived_client(server, s.name, "GET_DASH_STREAMING_SESSION_URL")
    dash = archived.get_dash_streaming_session_url(
        StreamName=s.name, PlaybackMode="ON_DEMAND",
        DASHFragmentSelector=selector)["DASHStreamingSessionURL"]
    assert http_get(dash)[0] == 200
    # An HLS token does not open a DASH manifest: not part of that session.
    status, headers, _ = http_get(with_query(dash, SessionToken=token))
    assert status == 404 and headers["x-amzn-ErrorType"] == "ResourceNotFoundException"


def test_request_errors(server, ingested):
    s = ingested("h264")
    archived = archived_client(server, s.name, "GET_HLS_STREAMING_SESSION_URL")
    long_ago = {"StartTimestamp": datetime.datetime(2001, 1, 1, tzinfo=UTC),
                "EndTimestamp": datetime.datetime(2001, 1, 1, 0, 10, tzinfo=UTC)}
    with pytest.raises(archived.exceptions.ResourceNotFoundException):
        archived.get_hls_streaming_session_url(
            StreamName=s.name, PlaybackMode="ON_DEMAND",
            HLSFragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP",
                                 "TimestampRange": long_ago})
    with pytest.raises(archived.exceptions.ResourceNotFoundException):
        archived.get_clip(StreamName=s.name, ClipFragmentSelector={
            "FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": long_ago})
    with pytest.raises(archived.exceptions.ResourceNotFoundException):
        archived.get_hls_streaming_session_url(StreamName="no-such-stream")
    with pytest.raises(archived.exceptions.InvalidArgumentException) as e:
        archived.get_hls_streaming_session_url(
            StreamName=s.name, PlaybackMode="LIVE",
            HLSFragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP",
                                 "TimestampRange": long_ago})
    assert "LIVE" in e.value.response["Error"]["Message"]
    with pytest.raises(archived.exceptions.InvalidArgumentException):
        archived.get_hls_streaming_session_url(StreamName=s.name, PlaybackMode="ON_DEMAND")
    with pytest.raises(archived.exceptions.InvalidArgumentException):
        archived.get_hls_streaming_session_url(StreamName=s.name, Expires=50000)
    with pytest.raises(archived.exceptions.InvalidArgumentException):
        archived.get_images(StreamName=s.name, ImageSelectorType="SERVER_TIMESTAMP",
                            StartTimestamp=long_ago["StartTimestamp"],
                            EndTimestamp=long_ago["StartTimestamp"] +
                            datetime.timedelta(seconds=301),
                            SamplingInterval=3000, Format="JPEG")

    # A stream that keeps no data cannot be played.
    name = "play-no-retention"
    create_stream(server, name, retention_hours=0)
    no_data = archived_client(server, name, "GET_HLS_STREAMING_SESSION_URL")
    with pytest.raises(no_data.exceptions.NoDataRetentionException):
        no_data.get_hls_streaming_session_url(StreamName=name)

    # Raw HTTP: a body that is not JSON, and an unknown session resource.
    status, headers, body = server.raw(None, b"{not json", content_type="application/json",
                                       path="/getHLSStreamingSessionURL")
    assert status == 400 and headers["x-amzn-ErrorType"] == "SerializationException"
    status, _, _ = server.get("/hls/v1/getHLSMasterPlaylist.m3u8")
    assert status == 403


# --- live ---------------------------------------------------------------------------------------
def test_live_playlist_lists_a_new_fragment(server, tmp_path):
    first = make_media(tmp_path, "h264", seconds=3)
    name = "play-live-new"
    create_stream(server, name)
    start = time.time()
    ingest(server, name, first, producer_start=start)
    url = hls_url(server, name, PlaybackMode="LIVE", MaxMediaPlaylistFragmentResults=3)
    _, master = get_text(url)
    media_url = media_playlist_urls(master, url)[0]
    before = fragment_numbers(get_text(media_url)[1])
    assert len(before) == 3

    second = make_media(tmp_path, "h264", seconds=2)
    added = ingest(server, name, second, producer_start=start + 10)
    assert wait_for(lambda: added[-1] in fragment_numbers(get_text(media_url)[1]), timeout_s=30)
    now = fragment_numbers(get_text(media_url)[1])
    assert now[-2:] == added and now[0] == before[-1]


def test_ll_hls_blocking_reload(server, tmp_path):
    media = make_media(tmp_path, "h264", seconds=2)
    name = "play-ll-hls"
    create_stream(server, name)
    start = time.time()
    ingest(server, name, media, producer_start=start)
    # The low-latency flag is a Sluice extension member (boto3 validates against AWS's model, so
    # it goes over raw HTTP).
    status, _, body = server.raw(None, {"StreamName": name, "PlaybackMode": "LIVE",
                                        "SluiceLowLatency": True},
                                 content_type="application/json",
                                 path="/getHLSStreamingSessionURL")
    assert status == 200, body
    url = json.loads(body)["HLSStreamingSessionURL"]
    _, master = get_text(url)
    media_url = media_playlist_urls(master, url)[0]
    _, playlist = get_text(media_url)
    assert "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES" in playlist
    sequence = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", playlist).group(1))
    next_msn = sequence + extinf_count(playlist)

    # Ask for the next media sequence number before it exists; send it while the request waits.
    answer = {}

    def blocked_get():
        answer["reply"] = http_get(with_query(media_url, _HLS_msn=str(next_msn), _HLS_part="0"))

    waiter = threading.Thread(target=blocked_get)
    waiter.start()
    time.sleep(0.5)
    added = ingest(server, name, make_media(tmp_path, "h264", seconds=1), producer_start=start + 5)
    waiter.join(60)
    assert not waiter.is_alive()
    status, _, body = answer["reply"]
    assert status == 200
    text = body.decode()
    got_sequence = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))
    assert got_sequence + extinf_count(text) > next_msn, text
    assert added[-1] in fragment_numbers(text)

    # A sequence number that never comes: the current playlist after the wait.
    status, _, body = http_get(with_query(media_url, _HLS_msn=str(next_msn + 1000)))
    assert status == 200 and body.decode().startswith("#EXTM3U")
    status, headers, _ = http_get(with_query(media_url, _HLS_msn="soon"))
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidArgumentException"


def test_session_url_survives_a_restart(make_server, tmp_path):
    server = make_server()
    name = "play-restart"
    create_stream(server, name)
    ingest(server, name, make_media(tmp_path, "h264", seconds=2), producer_start=time.time())
    url = hls_url(server, name, PlaybackMode="LIVE")
    assert http_get(url)[0] == 200
    old = server.endpoint_url
    server.restart(kill9=False)
    moved = url.replace(old, server.endpoint_url)  # a restart moves the server to a new port
    status, _, body = http_get(moved)
    assert status == 200, body
    _, master = get_text(moved)
    assert extinf_count(get_text(media_playlist_urls(master, moved)[0])[1]) == 2
