# SPDX-License-Identifier: Apache-2.0
# Support for the playback suite: test media with audio, ingest through PutMedia with producer
# timestamps, the archived-media boto3 client from GetDataEndpoint, plain HTTP GETs of session
# resources, playlist parsing and ffprobe run on URLs and bytes.
import datetime
import json
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from video_support import (PutMedia, kvs_client, need_tools, of_type, put_headers)

FPS = 25
SECONDS = 6


def make_av_media(folder, seconds=SECONDS):
    """H.264 320x240 at 25 fps with one key frame per second, plus AAC audio (44.1 kHz sine)."""
    need_tools()
    path = Path(folder) / f"h264-aac-{seconds}.mkv"
    if path.exists():
        return path
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
           f"testsrc=size=320x240:rate={FPS}", "-f", "lavfi", "-i",
           "sine=frequency=440:sample_rate=44100", "-t", str(seconds), "-c:v", "libx264", "-g",
           str(FPS), "-keyint_min", str(FPS), "-pix_fmt", "yuv420p", "-c:a", "aac", "-f",
           "matroska", str(path)]
    subprocess.run(cmd, check=True, timeout=120)
    return path


def make_h265_media(folder, seconds=SECONDS):
    """H.265 320x240 at 25 fps, one closed GOP per second. x265's default open GOPs put leading
    pictures (shown before the key frame) at the start of each fragment, which shortens the
    fragment durations the index records; cameras send closed GOPs."""
    need_tools()
    path = Path(folder) / f"h265-closed-{seconds}.mkv"
    if path.exists():
        return path
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
           f"testsrc=size=320x240:rate={FPS}", "-t", str(seconds), "-c:v", "libx265",
           "-x265-params", f"keyint={FPS}:min-keyint={FPS}:open-gop=0:log-level=error",
           "-pix_fmt", "yuv420p", "-f", "matroska", str(path)]
    subprocess.run(cmd, check=True, timeout=120)
    return path


def create_stream(server, name, media_type="video/h264", retention_hours=24):
    kvs = kvs_client(server)
    kvs.create_stream(StreamName=name, DataRetentionInHours=retention_hours, MediaType=media_type)
    return kvs.describe_stream(StreamName=name)["StreamInfo"]["StreamARN"]


def ingest(server, name, path, producer_start, seconds=0.0):
    """PutMedia of an MKV file with RELATIVE timecodes from `producer_start` (epoch seconds), so
    that producer timestamps are producer_start + cluster time. Returns the PERSISTED fragment
    numbers in order."""
    pm = PutMedia(server.port, put_headers(name, start=f"{producer_start:.3f}",
                                           timecode="RELATIVE"))
    sender = pm.send_async(Path(path).read_bytes(), seconds=seconds)
    acks = pm.wait(timeout=120)
    sender.join(10)
    pm.close()
    assert pm.status == 200, acks
    assert not of_type(acks, "ERROR"), acks
    return [a["FragmentNumber"] for a in of_type(acks, "PERSISTED")]


def archived_client(server, name, api, read_timeout=60):
    endpoint = kvs_client(server).get_data_endpoint(StreamName=name, APIName=api)["DataEndpoint"]
    return kvs_client(server, "kinesis-video-archived-media", endpoint, read_timeout=read_timeout)


def fragments(server, name):
    """Every fragment of the stream (ListFragments), ordered by fragment number."""
    archived = archived_client(server, name, "LIST_FRAGMENTS")
    rng = {"StartTimestamp": datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
           "EndTimestamp": datetime.datetime.now(datetime.timezone.utc) +
           datetime.timedelta(hours=1)}
    pages = archived.get_paginator("list_fragments").paginate(
        StreamName=name, FragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP",
                                           "TimestampRange": rng})
    return sorted((f for p in pages for f in p["Fragments"]), key=lambda f: int(f["FragmentNumber"]))


def epoch_ms(dt):
    return round(dt.timestamp() * 1000)


def http_get(url, timeout=60):
    """(status, headers, body bytes) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_text(url):
    status, headers, body = http_get(url)
    assert status == 200, (url, status, body[:500])
    return headers, body.decode()


def uris(playlist, base):
    """Absolute URLs of a playlist's URI lines and URI="..." attributes, in order."""
    out = []
    for line in playlist.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            out += [urllib.parse.urljoin(base, u) for u in re.findall(r'URI="([^"]+)"', line)]
        else:
            out.append(urllib.parse.urljoin(base, line))
    return out


def media_playlist_urls(master, base):
    """The media playlists a master playlist names, by TrackNumber (1 video, 2 audio)."""
    found = [u for u in uris(master, base) if "getHLSMediaPlaylist" in u]
    return sorted(found, key=lambda u: int(query_param(u, "TrackNumber") or 0))


def program_date_times(playlist):
    """#EXT-X-PROGRAM-DATE-TIME values as epoch ms."""
    out = []
    for value in re.findall(r"^#EXT-X-PROGRAM-DATE-TIME:(.+)$", playlist, re.M):
        dt = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        out.append(epoch_ms(dt))
    return out


def extinf_count(playlist):
    return len(re.findall(r"^#EXTINF:", playlist, re.M))


def fragment_numbers(playlist):
    """FragmentNumber query values of a media playlist's segment URIs, in order."""
    return re.findall(r"[?&]FragmentNumber=(\d+)", playlist)


def ffprobe(target, *extra, timeout=120):
    """ffprobe's JSON for a URL or a file: every stream with its packet count, and the format."""
    cmd = ["ffprobe", "-v", "error", *extra, "-count_packets", "-show_entries",
           "stream=codec_type,codec_name,width,height,nb_read_packets:format=duration,format_name",
           "-of", "json", str(target)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, (cmd, out.stderr)
    return json.loads(out.stdout)


# A live HLS playlist never ends: start at its first segment and stop after a few reloads bring
# nothing new.
LIVE_HLS = ("-live_start_index", "0", "-m3u8_hold_counters", "3")


def streams_of(probe, kind):
    return [s for s in probe.get("streams", []) if s.get("codec_type") == kind]


def packets(probe, kind):
    return sum(int(s.get("nb_read_packets", 0)) for s in streams_of(probe, kind))


def probe_bytes(folder, name, data):
    path = Path(folder) / name
    path.write_bytes(data)
    return ffprobe(path)


def wait_for(predicate, timeout_s=60.0, interval_s=0.5):
    """Polls until predicate() is truthy; returns its last value."""
    deadline = time.monotonic() + timeout_s
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = predicate()
    return value


def whole_seconds(ms, up=False):
    """A UTC datetime on a whole second at or below (or with `up`, at or above) epoch `ms`:
    Debian's botocore sends request timestamps truncated to whole seconds."""
    seconds = -(-ms // 1000) if up else ms // 1000
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def query_param(url, key):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get(key, [None])[0]


def with_query(url, **params):
    """`url` with some query parameters replaced or added."""
    parts = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    q = [(k, v) for k, v in q if k not in params] + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q, safe="")))
