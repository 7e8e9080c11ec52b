"""Baking edge cases: odd PNG chunks and SVG encodings are refused with a reason."""

from __future__ import annotations

import zlib

import pytest

from baeji.credentials.bake import bake, bake_png, bake_svg, unbake
from baeji.credentials.errors import BakeError

from .test_bake import CREDENTIAL, _insert_chunk, _png, _raw_chunk


def png_without(chunk_type: bytes) -> bytes:
    """The test PNG with every ``chunk_type`` chunk taken out (chunk CRCs stay valid)."""
    data = _png()
    out, position = data[:8], 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        end = position + 12 + length
        if data[position + 4 : position + 8] != chunk_type:
            out += data[position:end]
        position = end
    return out


# -- PNG --------------------------------------------------------------------------------------


def test_png_without_image_data_cannot_be_baked():
    with pytest.raises(BakeError, match="no image data"):
        bake_png(png_without(b"IDAT"), CREDENTIAL)


def test_png_with_a_chunk_type_that_is_not_letters_is_refused():
    damaged = _insert_chunk(_png(), _raw_chunk(b"1234", b"x"))
    with pytest.raises(BakeError, match="bad chunk header"):
        unbake(damaged)


@pytest.mark.parametrize(
    ("chunk", "message"),
    [
        (
            _raw_chunk(b"zTXt", b"openbadgecredential\0\x01" + zlib.compress(b"{}")),
            "unknown compression method",
        ),
        (_raw_chunk(b"iTXt", b"openbadgecredential\0\x00"), "no compression fields"),
        (
            _raw_chunk(b"iTXt", b"openbadgecredential\0\x01\x05\0\0" + zlib.compress(b"{}")),
            "unknown compression method",
        ),
        (
            _raw_chunk(b"iTXt", b"openbadgecredential\0\x01\x00\0\0" + zlib.compress(b"{}")[:-4]),
            "is cut short",
        ),
    ],
)
def test_malformed_text_chunks_are_refused(chunk, message):
    with pytest.raises(BakeError, match=message):
        unbake(_insert_chunk(_png(), chunk))


def test_embedded_value_that_looks_like_a_jws_but_is_not_is_refused():
    body = b"openbadgecredential\0\0\0\0\0" + b"!!!!.e30.c2ln"
    with pytest.raises(BakeError, match="must be JSON or a compact JWS"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", body)))
    # A header that is base64url text but not base64 data (a lone trailing character).
    body = b"openbadgecredential\0\0\0\0\0" + b"eyJhbGciOiJFZERTQSJ9a.e30.c2ln"
    with pytest.raises(BakeError, match="must be JSON or a compact JWS"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", body)))


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ({**CREDENTIAL, "validFrom": {2025, 3, 1}}, "cannot be written as JSON"),
        ({**CREDENTIAL, "name": "broken \ud800 surrogate"}, "UTF-8 cannot carry"),
    ],
)
def test_credentials_that_cannot_be_written_are_refused(credential, message):
    with pytest.raises(BakeError, match=message):
        bake(_png(), credential)


# -- SVG --------------------------------------------------------------------------------------


def test_utf16_svg_is_read_but_not_baked():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>배지</title></svg>'.encode("utf-16")
    with pytest.raises(BakeError, match="carries no Open Badges credential"):
        unbake(svg)
    with pytest.raises(BakeError, match="this one is UTF-16"):
        bake(svg, CREDENTIAL)


def test_ascii_svg_cannot_carry_korean_text():
    svg = b'<?xml version="1.0" encoding="US-ASCII"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakeError, match="declares ASCII"):
        bake_svg(svg, CREDENTIAL)
    ascii_only = {"id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    assert unbake(bake_svg(svg, ascii_only)).value == '{"id":"urn:uuid:1","type":' + (
        '["VerifiableCredential","OpenBadgeCredential"]}'
    )


def test_latin1_svg_is_refused_for_baking():
    svg = '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><title>café</title></svg>'
    with pytest.raises(BakeError, match="declares 'iso-8859-1'"):
        bake_svg(svg.encode("latin-1"), CREDENTIAL)
