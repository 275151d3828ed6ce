"""A tiny writer of valid MP4 files (one H.264 track, no frames), so tests need no ffmpeg.

The emulator reads duration, size and codec back from the `moov` box it writes.
"""
import struct


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


def synth_mp4(duration_s: float, width: int = 640, height: int = 360, payload: int = 256) -> bytes:
    ts = 1000
    dur = round(duration_s * ts)
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = bytes(12) + struct.pack(">IIIH", ts, dur, 0x10000, 0x100) + bytes(10) + matrix + bytes(24) + struct.pack(">I", 2)
    tkhd = b"\x00\x00\x00\x03" + bytes(8) + struct.pack(">I", 1) + bytes(4) + struct.pack(">I", dur) + bytes(16) + matrix
    tkhd += struct.pack(">II", width << 16, height << 16)
    mdhd = bytes(12) + struct.pack(">II", ts, dur) + b"\x55\xc4\x00\x00"
    hdlr = bytes(8) + b"vide" + bytes(12) + b"VideoHandler\x00"
    avc1 = bytes(6) + struct.pack(">H", 1) + bytes(16) + struct.pack(">HH", width, height)
    avc1 += bytes([0, 0x48, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 1]) + bytes(32) + b"\x00\x18\xff\xff"
    stsd = b"\x00\x00\x00\x00\x00\x00\x00\x01" + _box(b"avc1", avc1)
    stbl = _box(b"stsd", stsd) + _box(b"stts", bytes(8)) + _box(b"stsc", bytes(8)) + _box(b"stsz", bytes(12)) + _box(b"stco", bytes(8))
    dinf = _box(b"dinf", _box(b"dref", b"\x00\x00\x00\x00\x00\x00\x00\x01" + _box(b"url ", b"\x00\x00\x00\x01")))
    minf = _box(b"minf", _box(b"vmhd", b"\x00\x00\x00\x01" + bytes(8)) + dinf + _box(b"stbl", stbl))
    mdia = _box(b"mdia", _box(b"mdhd", mdhd) + _box(b"hdlr", hdlr) + minf)
    moov = _box(b"moov", _box(b"mvhd", mvhd) + _box(b"trak", _box(b"tkhd", tkhd) + mdia))
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    return ftyp + moov + _box(b"mdat", bytes(payload))
