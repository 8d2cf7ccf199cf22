"""Small real files for the media store's tests: pictures and voice notes as providers send
them (built here byte by byte, or with the standard library), and things that are not."""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib


def png(width: int = 2, height: int = 2) -> bytes:
    """A small, valid PNG (one colour), so that a browser really decodes a picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# 1x1 pictures
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////"
    "////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/a"
    "AAgBAQABPxA="
)
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
PNG = png()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packet: bytes, seq: int, flags: int) -> bytes:
    head = struct.pack("<4sBBqIII", b"OggS", 0, flags, 0, 0x43A1, seq, 0)
    page = head + bytes([1, len(packet)]) + packet
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def ogg_opus() -> bytes:
    """The first two pages of an Ogg Opus stream (a Telegram voice note): OpusHead, OpusTags."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 8) + b"careline" + struct.pack("<I", 0)
    return _ogg_page(head, 0, 0x02) + _ogg_page(tags, 1, 0)


OGG_OPUS = ogg_opus()
AMR = b"#!AMR\n" + (b"\x3c" + bytes(31)) * 5  # five 12.2 kbit/s frames (WeCom, MMS)
AMR_WB = b"#!AMR-WB\n" + (b"\x44" + bytes(60)) * 3  # 23.85 kbit/s frames (some MMS)
MP3 = (b"\xff\xfb\x90\x64" + bytes(413)) * 2  # two MPEG-1 layer III frames, 128 kbit/s
M4A = struct.pack(">I4s4sI8s", 24, b"ftyp", b"M4A ", 0x200, b"M4A isom") + struct.pack(
    ">I4s", 8, b"free"
)


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(1600))
    return out.getvalue()


WAV = wav()
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP4_VIDEO = struct.pack(">I4s4sI8s", 24, b"ftyp", b"isom", 0x200, b"isomiso2")
