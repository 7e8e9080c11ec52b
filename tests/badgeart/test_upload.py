"""Uploaded badge images: PNG/JPEG re-encoding and SVG sanitising."""

from __future__ import annotations

import base64
import io
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from PIL import Image, PngImagePlugin

from baeji.badgeart.upload import MAX_DIMENSION, MAX_UPLOAD_BYTES, CleanImage, clean_upload

SVG_NS = "http://www.w3.org/2000/svg"


def make_png(size=(64, 48), mode="RGBA", text: dict[str, str] | None = None) -> bytes:
    image = Image.new(mode, size, (10, 120, 200, 255) if mode == "RGBA" else (10, 120, 200))
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    info.add_text("Comment", "made by a test")
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def chunk_types(png: bytes) -> list[bytes]:
    pos, kinds = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kinds.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


def svg_of(body: str, extra: str = "") -> bytes:
    return (
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" '
        f'height="100" viewBox="0 0 100 100"{extra}>{body}</svg>'
    ).encode()


def parse(clean: CleanImage) -> ET.Element:
    assert clean.content_type == "image/svg+xml"
    return ET.fromstring(clean.data)


# ---------------------------------------------------------------------------------------------
# PNG and JPEG


def test_valid_png_passes_and_loses_text_chunks_and_baked_credential() -> None:
    original = make_png(text={"openbadgecredential": '{"type": ["OpenBadgeCredential"]}'})
    assert b"iTXt" in original and b"tEXt" in original
    clean = clean_upload(original, "badge.png")
    assert (clean.content_type, clean.width, clean.height) == ("image/png", 64, 48)
    assert set(chunk_types(clean.data)) <= {b"IHDR", b"IDAT", b"IEND"}
    assert b"OpenBadgeCredential" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.text == {}
    assert image.convert("RGBA").getpixel((5, 5)) == (10, 120, 200, 255)


def test_png_keeps_transparency_from_palette() -> None:
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 255, 0])
    image.putpixel((1, 1), 1)
    buf = io.BytesIO()
    image.save(buf, format="PNG", transparency=0)
    clean = Image.open(io.BytesIO(clean_upload(buf.getvalue()).data))
    assert clean.mode == "RGBA"
    assert clean.getpixel((0, 0))[3] == 0
    assert clean.getpixel((1, 1)) == (0, 255, 0, 255)


def test_trailing_polyglot_payload_is_dropped() -> None:
    polyglot = make_png() + b"<script>alert(1)</script>PK\x03\x04"
    clean = clean_upload(polyglot, "badge.png")
    assert b"<script>" not in clean.data and b"PK\x03\x04" not in clean.data
    assert clean.data.endswith(b"IEND\xaeB`\x82")


def test_jpeg_is_converted_to_png() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="JPEG", comment=b"secret")
    clean = clean_upload(buf.getvalue(), "photo.jpg")
    assert (clean.content_type, clean.width, clean.height) == ("image/png", 40, 30)
    assert clean.data.startswith(b"\x89PNG") and b"secret" not in clean.data


def test_jpeg_exif_orientation_is_applied_then_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    exif[0x010E] = "private description"
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 128, 0)).save(buf, format="JPEG", exif=exif)
    clean = clean_upload(buf.getvalue(), "phone.jpg")
    assert (clean.width, clean.height) == (20, 40)
    assert b"private description" not in clean.data and b"eXIf" not in clean.data


def test_oversized_file_is_refused() -> None:
    data = make_png() + b"\x00" * MAX_UPLOAD_BYTES
    with pytest.raises(ValueError, match="at most"):
        clean_upload(data, "big.png")


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        clean_upload(b"", "x.png")


@pytest.mark.parametrize("side", [5_000, 100_000])
def test_huge_dimension_png_is_refused_before_decoding(side: int) -> None:
    # A valid IHDR that claims side x side pixels, followed by a tiny IDAT: a decompression
    # bomb in miniature. It must be refused from the header alone.
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ValueError, match=f"at most {MAX_DIMENSION}x{MAX_DIMENSION}"):
        clean_upload(data, "bomb.png")


def test_png_just_over_the_dimension_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="pixels"):
        clean_upload(make_png(size=(MAX_DIMENSION + 1, 1), mode="RGB"), "wide.png")


def test_truncated_png_is_refused() -> None:
    data = make_png(size=(200, 200))
    with pytest.raises(ValueError, match="corrupt or truncated"):
        clean_upload(data[: len(data) // 2], "cut.png")


def test_corrupt_png_checksum_is_refused() -> None:
    data = bytearray(make_png(size=(32, 32)))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    with pytest.raises(ValueError, match="not a valid PNG"):
        clean_upload(bytes(data), "bad.png")


def test_gif_renamed_png_is_refused() -> None:
    buf = io.BytesIO()
    Image.new("P", (4, 4)).save(buf, format="GIF")
    with pytest.raises(ValueError, match="GIF"):
        clean_upload(buf.getvalue(), "badge.png")


def test_animated_png_is_refused() -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, format="PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(ValueError, match="animated"):
        clean_upload(buf.getvalue(), "anim.png")


@pytest.mark.parametrize("data", [b"hello world", b"%PDF-1.7\n...", b"\x00\x01\x02"])
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="PNG, JPEG"):
        clean_upload(data, "file.png")


# ---------------------------------------------------------------------------------------------
# SVG


def test_clean_svg_passes_with_its_content() -> None:
    data = svg_of(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>'
        '<circle cx="50" cy="50" r="40" fill="url(#g)" stroke="#000" stroke-width="2"/>'
        '<text x="50" y="55" text-anchor="middle" font-family="Pretendard">'
        "수영 <tspan>3</tspan>단계</text>"
        '<use xlink:href="#g"/>'
    )
    clean = clean_upload(data, "badge.svg")
    assert (clean.width, clean.height) == (100, 100)
    root = parse(clean)
    circle = root.find(f"{{{SVG_NS}}}circle")
    assert circle is not None and circle.get("fill") == "url(#g)"
    text = root.find(f"{{{SVG_NS}}}text")
    assert "".join(text.itertext()) == "수영 3단계"
    use = root.find(f"{{{SVG_NS}}}use")
    assert use.get("{http://www.w3.org/1999/xlink}href") == "#g"


def test_ids_and_internal_references_survive() -> None:
    data = svg_of(
        '<clipPath id="curly-url"><rect width="5" height="5"/></clipPath>'
        '<g clip-path="url(#curly-url)" style="fill: url( #curly-url ); opacity:0.5"/>'
    )
    root = parse(clean_upload(data))
    assert root.find(f"{{{SVG_NS}}}clipPath").get("id") == "curly-url"
    g = root.find(f"{{{SVG_NS}}}g")
    assert g.get("clip-path") == "url(#curly-url)"
    assert g.get("style") == "fill:url( #curly-url );opacity:0.5"


def test_svg_size_from_viewbox_only() -> None:
    data = f'<svg xmlns="{SVG_NS}" viewBox="0 0 320 240"><rect width="10" height="10"/></svg>'
    clean = clean_upload(data.encode())
    assert (clean.width, clean.height) == (320, 240)


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script><rect width='5' height='5'/>", [b"script", b"alert"]),
        ("<rect width='5' height='5' onclick='alert(1)'/>", [b"onclick", b"alert"]),
        ("<a href='javascript:alert(1)'><rect width='5' height='5'/></a>", [b"javascript"]),
        ("<a xlink:href='javascript:alert(1)'><text>x</text></a>", [b"javascript"]),
        ("<image href='http://evil.example/x.png' width='5' height='5'/>", [b"evil", b"<image"]),
        ("<image xlink:href='https://evil.example/x.png'/>", [b"evil", b"<image"]),
        ("<use href='http://evil.example/sprite.svg#a'/>", [b"evil"]),
        (
            "<foreignObject><body xmlns='http://www.w3.org/1999/xhtml'>"
            "<iframe src='http://evil.example'/></body></foreignObject>",
            [b"foreignObject", b"iframe", b"evil"],
        ),
        ("<style>@import url(http://evil.example/a.css);</style>", [b"@import", b"evil"]),
        ("<style>rect { fill: url(http://evil.example/t) }</style>", [b"evil", b"<style"]),
        (
            "<rect width='5' height='5' style='fill:url(http://evil.example/t);stroke:red'/>",
            [b"evil"],
        ),
        ("<rect width='5' height='5' fill='url(https://evil.example/p#x)'/>", [b"evil"]),
        ("<image href='data:text/html;base64,PHNjcmlwdD4=' width='5' height='5'/>", [b"data:text"]),
        ("<image href='data:image/svg+xml;base64,PHN2Zz4=' width='5' height='5'/>", [b"svg+xml;"]),
        ("<animate attributeName='href' to='javascript:alert(1)'/>", [b"animate", b"javascript"]),
        ("<set attributeName='onload' to='alert(1)'/>", [b"<set", b"alert"]),
        ("<iframe src='http://evil.example'/>", [b"iframe", b"evil"]),
        ("<metadata><x>1</x></metadata>", [b"metadata"]),
        ("<!-- hidden comment --><rect width='5' height='5'/>", [b"hidden comment"]),
        ("<?xml-stylesheet href='http://evil.example/x.css'?><g/>", [b"evil", b"stylesheet"]),
    ],
)
def test_dangerous_svg_content_is_stripped(body: str, forbidden: list[bytes]) -> None:
    clean = clean_upload(svg_of(body), "bad.svg")
    parse(clean)  # still well-formed
    lowered = clean.data.lower()
    for token in forbidden:
        assert token.lower() not in lowered, token
    assert b"<script" not in lowered and b" on" not in lowered.replace(b" only", b"")


def test_onload_on_root_is_stripped() -> None:
    clean = clean_upload(svg_of("<g/>", extra=" onload=\"alert('x')\""), "bad.svg")
    assert b"onload" not in clean.data and b"alert" not in clean.data


def test_baked_credential_in_svg_is_removed() -> None:
    data = (
        f'<svg xmlns="{SVG_NS}" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
        'width="10" height="10"><openbadges:credential>'
        '<![CDATA[{"type":["VerifiableCredential","OpenBadgeCredential"]}]]>'
        '</openbadges:credential><rect width="10" height="10"/></svg>'
    ).encode()
    clean = clean_upload(data)
    assert b"OpenBadgeCredential" not in clean.data and b"openbadges" not in clean.data
    assert parse(clean).find(f"{{{SVG_NS}}}rect") is not None


def test_embedded_png_data_url_is_kept_and_cleaned() -> None:
    png = make_png(size=(4, 4), text={"openbadgecredential": "baked"})
    href = "data:image/png;base64," + base64.b64encode(png).decode()
    clean = clean_upload(svg_of(f'<image href="{href}" width="4" height="4"/>'))
    image = parse(clean).find(f"{{{SVG_NS}}}image")
    assert image is not None
    new_href = image.get("{http://www.w3.org/1999/xlink}href")
    assert new_href.startswith("data:image/png;base64,")
    inner = base64.b64decode(new_href.split(",", 1)[1])
    assert b"baked" not in inner and Image.open(io.BytesIO(inner)).size == (4, 4)


def test_xxe_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><text>&xxe;</text></svg>'
    )
    with pytest.raises(ValueError, match="DTD"):
        clean_upload(data, "xxe.svg")


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    data = (
        f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]>'
        f'<svg xmlns="{SVG_NS}" width="1" height="1"><text>&lol9;</text></svg>'
    ).encode()
    with pytest.raises(ValueError, match="DTD"):
        clean_upload(data, "lol.svg")


def test_plain_dtd_is_refused() -> None:
    data = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    )
    with pytest.raises(ValueError, match="DTD"):
        clean_upload(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>hi</body></html>", "root element must be <svg>"),
        (b"<svg width='1' height='1'/>", "root element must be <svg>"),  # no SVG namespace
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "well-formed"),
        (f'<svg xmlns="{SVG_NS}"><rect/></svg>'.encode(), "width and height or a viewBox"),
    ],
)
def test_non_svg_xml_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clean_upload(data, "x.svg")


def test_deeply_nested_svg_is_refused() -> None:
    body = "<g>" * 200 + "</g>" * 200
    with pytest.raises(ValueError, match="deep"):
        clean_upload(svg_of(body))
