"""A small CBOR (RFC 8949) encoder and decoder for hand-made Smithy RPC v2
CBOR requests: Debian's Python has no CBOR library. Tagged values decode as
Tagged(tag, value), so that a test sees a timestamp's tag 1."""
import struct
from dataclasses import dataclass


@dataclass
class Tagged:
    tag: int
    value: object


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def encode(value):
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, Tagged):
        return _head(6, value.tag) + encode(value.value)
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(type(value))


def decode(data):
    value, end = _item(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes")
    return value


def _item(data, at):
    initial = data[at]
    at += 1
    major, info = initial >> 5, initial & 31
    if major == 7:
        if info == 20:
            return False, at
        if info == 21:
            return True, at
        if info in (22, 23):
            return None, at
        if info == 25:
            return struct.unpack(">e", data[at:at + 2])[0], at + 2
        if info == 26:
            return struct.unpack(">f", data[at:at + 4])[0], at + 4
        if info == 27:
            return struct.unpack(">d", data[at:at + 8])[0], at + 8
        raise ValueError(f"simple value {info}")
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[at:at + size], "big")
        at += size
    elif info == 31:
        return _indefinite(data, at, major)
    else:
        raise ValueError(f"additional information {info}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major == 2:
        return bytes(data[at:at + n]), at + n
    if major == 3:
        return data[at:at + n].decode(), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    if major == 5:
        out = {}
        for _ in range(n):
            key, at = _item(data, at)
            out[key], at = _item(data, at)
        return out, at
    value, at = _item(data, at)
    return Tagged(n, value), at


def _indefinite(data, at, major):
    items = []
    while data[at] != 0xFF:
        item, at = _item(data, at)
        items.append(item)
    at += 1
    if major == 2:
        return b"".join(items), at
    if major == 3:
        return "".join(items), at
    if major == 4:
        return items, at
    return dict(zip(items[::2], items[1::2])), at
