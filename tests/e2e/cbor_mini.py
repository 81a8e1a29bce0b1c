# SPDX-License-Identifier: Apache-2.0
# A deliberately small CBOR (RFC 8949) encoder/decoder for the wire tests: maps, arrays, text and
# byte strings, integers, booleans, null, floats and tags: what AWS's CBOR 1.1 protocol uses.
# Independent of the server's codec on purpose, so that the two check each other.
import struct


class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __repr__(self):
        return f"Tag({self.tag}, {self.value!r})"


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError("integer too large for CBOR")


def encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(encode(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(encode(k) + encode(x) for k, x in v.items())
    if isinstance(v, Tag):
        return _head(6, v.tag) + encode(v.value)
    raise TypeError(f"cannot CBOR-encode {type(v)}")


def decode(data):
    value, end = _decode(memoryview(data), 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} trailing bytes after the CBOR item")
    return value


def _length(buf, pos, info):
    if info < 24:
        return info, pos
    if info == 31:
        return None, pos  # indefinite length
    fmt = {24: ">B", 25: ">H", 26: ">I", 27: ">Q"}[info]
    size = struct.calcsize(fmt)
    return struct.unpack(fmt, buf[pos:pos + size])[0], pos + size


def _decode(buf, pos):
    initial = buf[pos]
    major, info = initial >> 5, initial & 31
    pos += 1
    if major == 7:
        if info in (20, 21):
            return info == 21, pos
        if info in (22, 23):
            return None, pos
        if info == 25:
            return _half(buf[pos:pos + 2]), pos + 2
        if info == 26:
            return struct.unpack(">f", buf[pos:pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", buf[pos:pos + 8])[0], pos + 8
        raise ValueError(f"unsupported simple value {info}")
    n, pos = _length(buf, pos, info)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        if n is None:  # indefinite: concatenated definite chunks until 0xff
            chunks = []
            while buf[pos] != 0xFF:
                chunk, pos = _decode(buf, pos)
                chunks.append(chunk)
            joined = (b"" if major == 2 else "").join(chunks)
            return joined, pos + 1
        raw = bytes(buf[pos:pos + n])
        return (raw if major == 2 else raw.decode("utf-8")), pos + n
    if major == 4:
        items = []
        while (len(items) < n) if n is not None else buf[pos] != 0xFF:
            item, pos = _decode(buf, pos)
            items.append(item)
        return items, pos + (1 if n is None else 0)
    if major == 5:
        out = {}
        while (len(out) < n) if n is not None else buf[pos] != 0xFF:
            k, pos = _decode(buf, pos)
            out[k], pos = _decode(buf, pos)
        return out, pos + (1 if n is None else 0)
    if major == 6:
        value, pos = _decode(buf, pos)
        return Tag(n, value), pos
    raise ValueError(f"bad CBOR major type {major}")


def _half(b):
    h = struct.unpack(">H", b)[0]
    exp, mant = (h >> 10) & 0x1F, h & 0x3FF
    if exp == 0:
        val = mant * 2.0 ** -24
    elif exp == 31:
        val = float("inf") if mant == 0 else float("nan")
    else:
        val = (mant + 1024) * 2.0 ** (exp - 25)
    return -val if h & 0x8000 else val
