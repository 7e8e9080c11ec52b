"""Baking credentials into PNG and SVG images and taking them out, through the public API."""

import base64
import io
import json
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openbadgeslib import baking as other_baker
from PIL import Image, PngImagePlugin

from baeji.credentials.bake import MAX_IMAGE_BYTES, Baked, bake, bake_png, bake_svg, unbake
from baeji.credentials.errors import BakeError

FIXTURES = Path(__file__).parent / "fixtures" / "bake"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_NS = "http://openbadges.org"
SVG_NS = "http://www.w3.org/2000/svg"

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "https://badges.example.kr/credentials/3732",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://badges.example.kr/issuers/1",
        "type": ["Profile"],
        "name": "한국배지대학교",
    },
    "validFrom": "2025-03-01T00:00:00Z",
    "name": "데이터 과학 기초 — 배지",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://badges.example.kr/achievements/7",
            "type": ["Achievement"],
            "name": "데이터 과학 기초",
            "description": "파이썬으로 데이터를 분석합니다. 🎓",
            "criteria": {"narrative": "과제 3개를 제출하고 ]]> 시험에 합격"},
        },
    },
}

ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://badges.example.kr/assertions/123",
    "recipient": {"type": "email", "hashed": False, "identity": "learner@example.kr"},
    "issuedOn": "2025-03-01T00:00:00Z",
    "verification": {"type": "hosted"},
    "badge": "https://badges.example.kr/badgeclasses/5",
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# A structurally valid compact JWS (the signature bytes are not a real signature: baking
# does not verify, it only carries the token).
JWS = ".".join(
    [
        _b64url(b'{"alg":"EdDSA","typ":"JWT","kid":"did:web:badges.example.kr#key-1"}'),
        _b64url(json.dumps({"vc": CREDENTIAL}, ensure_ascii=False).encode()),
        _b64url(bytes(range(64))),
    ]
)
HOSTED_URL = "https://badges.example.kr/assertions/123?format=json&v=2"


def _png(size=(4, 3), color=(12, 34, 56)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _png_with(pnginfo: PngImagePlugin.PngInfo) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 0, 0)).save(buffer, "PNG", pnginfo=pnginfo)
    return buffer.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (type, data) chunks by hand, independently of the code under test."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        chunk_type = png[position + 4 : position + 8]
        chunks.append((chunk_type, png[position + 8 : position + 8 + length]))
        position += 12 + length
    return chunks


def _raw_chunk(chunk_type: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + chunk_type
        + data
        + struct.pack(">I", zlib.crc32(chunk_type + data))
    )


def _insert_chunk(png: bytes, chunk: bytes) -> bytes:
    """Put a raw chunk just before IEND."""
    return png[:-12] + chunk + png[-12:]


SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!-- 배지 이미지: made by hand for the tests -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" data-note="a > b">
  <title>배지</title>
  <circle cx="32" cy="32" r="30" fill="#0a5"/>
</svg>
""".encode()


# --- PNG ------------------------------------------------------------------------------------


def test_png_ob3_json_round_trip_keeps_korean_byte_exact():
    baked = bake_png(_png(), CREDENTIAL)
    found = unbake(baked)
    assert found.kind == "ob3"
    assert found.format == "json"
    assert json.loads(found.value) == CREDENTIAL
    for text in ("한국배지대학교", "데이터 과학 기초 — 배지", "🎓"):
        assert text in found.value
        assert text.encode("utf-8") in baked


def test_png_json_text_is_embedded_exactly_as_given():
    text = json.dumps(CREDENTIAL, ensure_ascii=False, indent=3)
    found = unbake(bake_png(_png(), text))
    assert found == Baked("ob3", "json", text)
    assert found.value.encode("utf-8") == text.encode("utf-8")


def test_png_has_exactly_one_uncompressed_itxt_right_after_ihdr_and_keeps_the_rest():
    plain = _png()
    baked = bake_png(plain, CREDENTIAL)
    chunks = _chunks(baked)
    assert chunks[0][0] == b"IHDR"
    chunk_type, data = chunks[1]
    assert chunk_type == b"iTXt"
    keyword, rest = data.split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    assert rest[:4] == b"\0\0\0\0"  # not compressed, method 0, no language, no translation
    assert json.loads(rest[4:].decode("utf-8")) == CREDENTIAL
    assert [c for c in chunks if c[0] == b"iTXt"] == [chunks[1]]
    assert [c for c in _chunks(baked) if c != chunks[1]] == _chunks(plain)


def test_baked_png_is_still_the_same_picture_and_pillow_reads_the_chunk():
    plain = _png(color=(200, 100, 50))
    baked = bake_png(plain, JWS)
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.getpixel((1, 1)) == (200, 100, 50)
        assert str(image.text["openbadgecredential"]) == JWS


def test_png_ob3_jws_round_trip():
    assert unbake(bake_png(_png(), JWS)) == Baked("ob3", "jws", JWS)


def test_png_ob2_json_round_trip():
    baked = bake_png(_png(), ASSERTION, kind="ob2")
    assert any(c[0] == b"iTXt" and c[1].startswith(b"openbadges\0") for c in _chunks(baked))
    found = unbake(baked)
    assert (found.kind, found.format) == ("ob2", "json")
    assert json.loads(found.value) == ASSERTION


@pytest.mark.parametrize(("value", "text_format"), [(HOSTED_URL, "url"), (JWS, "jws")])
def test_png_ob2_url_and_jws_round_trip(value, text_format):
    assert unbake(bake_png(_png(), value, kind="ob2")) == Baked("ob2", text_format, value)


def test_bake_dispatches_on_png_magic():
    assert unbake(bake(_png(), CREDENTIAL)).kind == "ob3"


def test_an_independent_reader_finds_our_png_credential():
    baked = bake_png(_png(), CREDENTIAL)
    theirs = other_baker.extract_png(baked, keyword=b"openbadgecredential")
    assert json.loads(theirs) == CREDENTIAL
    assert other_baker.extract_png(bake_png(_png(), HOSTED_URL, kind="ob2")) == HOSTED_URL


def test_we_read_a_png_baked_by_an_independent_implementation():
    theirs = other_baker.bake_png(_png(), JWS, keyword=b"openbadgecredential")
    assert unbake(theirs) == Baked("ob3", "jws", JWS)


def test_compressed_itxt_written_by_pillow_is_read():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(CREDENTIAL, ensure_ascii=False), zip=True)
    found = unbake(_png_with(info))
    assert json.loads(found.value) == CREDENTIAL


def test_legacy_text_chunk_with_hosted_url_is_read():
    info = PngImagePlugin.PngInfo()
    info.add_text("openbadges", HOSTED_URL)
    assert unbake(_png_with(info)) == Baked("ob2", "url", HOSTED_URL)


def test_compressed_ztxt_chunk_is_read():
    body = b"openbadges\0\0" + zlib.compress(HOSTED_URL.encode())
    png = _insert_chunk(_png(), _raw_chunk(b"zTXt", body))
    assert unbake(png) == Baked("ob2", "url", HOSTED_URL)


def test_other_text_chunks_are_ignored():
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Inkscape")
    info.add_itxt("Comment", "배지", lang="ko")
    png = bake_png(_png_with(info), CREDENTIAL)
    assert json.loads(unbake(png).value) == CREDENTIAL


def test_a_second_png_bake_is_refused():
    baked = bake_png(_png(), CREDENTIAL)
    with pytest.raises(BakeError, match="already baked"):
        bake_png(baked, CREDENTIAL)
    with pytest.raises(BakeError, match="already baked"):
        bake_png(baked, ASSERTION, kind="ob2")


def test_a_png_baked_elsewhere_cannot_be_baked_again():
    with pytest.raises(BakeError, match="already baked"):
        bake((FIXTURES / "simple-badge.png").read_bytes(), CREDENTIAL)


def test_png_with_a_bad_checksum_is_refused():
    baked = bytearray(bake_png(_png(), CREDENTIAL))
    baked[60] ^= 0x01  # inside the iTXt text
    with pytest.raises(BakeError, match="checksum"):
        unbake(bytes(baked))
    plain = bytearray(_png())
    plain[20] ^= 0x01  # inside IHDR
    with pytest.raises(BakeError, match="checksum"):
        bake_png(bytes(plain), CREDENTIAL)


def test_truncated_png_is_refused():
    with pytest.raises(BakeError, match="corrupt"):
        unbake(bake_png(_png(), CREDENTIAL)[:-20])
    with pytest.raises(BakeError, match="corrupt"):
        bake_png(_png()[:40], CREDENTIAL)


def test_png_that_does_not_start_with_ihdr_is_refused():
    plain = _png()
    broken = plain[:8] + _raw_chunk(b"tEXt", b"a\0b") + plain[8:]
    with pytest.raises(BakeError, match="IHDR"):
        bake_png(broken, CREDENTIAL)


def test_bad_png_signature_is_refused():
    with pytest.raises(BakeError, match="not a PNG"):
        bake_png(b"\x89PNX\r\n\x1a\n" + _png()[8:], CREDENTIAL)


def test_data_after_iend_is_refused_when_baking_but_tolerated_when_reading():
    baked = bake_png(_png(), JWS) + b"trailing"
    assert unbake(baked).value == JWS
    with pytest.raises(BakeError, match="after its IEND"):
        bake_png(_png() + b"trailing", JWS)


def test_unbaking_a_plain_png_says_there_is_no_credential():
    with pytest.raises(BakeError, match="no Open Badges credential"):
        unbake(_png())


@pytest.mark.parametrize(
    "text",
    [
        b"hello",
        b'{"not": json}',
        b"[1, 2, 3]",
        b"eyJub3QiOiJhIGp3cyJ9.e30.c2ln",
        HOSTED_URL.encode(),
    ],
)
def test_malformed_embedded_ob3_values_are_refused(text):
    body = b"openbadgecredential\0\0\0\0\0" + text
    png = _insert_chunk(_png(), _raw_chunk(b"iTXt", body))
    with pytest.raises(BakeError, match="openbadgecredential"):
        unbake(png)


def test_embedded_text_that_is_not_utf8_is_refused():
    body = b"openbadgecredential\0\0\0\0\0" + "배지".encode("euc-kr")
    with pytest.raises(BakeError, match="UTF-8"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", body)))


def test_malformed_itxt_fields_are_refused():
    with pytest.raises(BakeError, match="malformed"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", b"openbadgecredential\0\0\0")))


def test_corrupt_compressed_itxt_is_refused():
    body = b"openbadgecredential\0\1\0\0\0" + b"not zlib data"
    with pytest.raises(BakeError, match="corrupt"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", body)))


def test_compressed_itxt_that_expands_too_far_is_refused():
    bomb = zlib.compress(b" " * (MAX_IMAGE_BYTES + 10), 9)
    body = b"openbadgecredential\0\1\0\0\0" + bomb
    with pytest.raises(BakeError, match="more than"):
        unbake(_insert_chunk(_png(), _raw_chunk(b"iTXt", body)))


@pytest.mark.parametrize("bake_function", [bake, bake_png, unbake])
def test_oversized_images_are_refused(bake_function):
    huge = _png()[:33] + b"\0" * MAX_IMAGE_BYTES
    args = (huge,) if bake_function is unbake else (huge, CREDENTIAL)
    with pytest.raises(BakeError, match="5 MiB"):
        bake_function(*args)


def test_ob3_cannot_bake_a_url():
    with pytest.raises(BakeError, match="JSON or a compact JWS"):
        bake_png(_png(), HOSTED_URL)


@pytest.mark.parametrize("credential", ["", "   ", "not a credential", '{"a": ', 42, None, ["x"]])
def test_malformed_credentials_are_refused(credential):
    with pytest.raises(BakeError):
        bake_png(_png(), credential)


def test_unknown_kind_is_refused():
    with pytest.raises(BakeError, match="kind"):
        bake_png(_png(), CREDENTIAL, kind="ob1")


@pytest.mark.parametrize(
    "data", [b"GIF89a\x01\x00\x01\x00", b"\xff\xd8\xff\xe0JFIF", b"%PDF-1.7", b"\x00\x01"]
)
def test_other_formats_are_refused(data):
    with pytest.raises(BakeError, match="PNG and SVG"):
        bake(data, CREDENTIAL)
    with pytest.raises(BakeError, match="PNG and SVG"):
        unbake(data)


def test_empty_and_non_bytes_input_is_refused():
    with pytest.raises(BakeError):
        unbake(b"")
    with pytest.raises(BakeError):
        unbake("<svg/>")


# --- images baked by others -----------------------------------------------------------------


def test_reads_ob2_png_from_the_1edtech_validator():
    found = unbake((FIXTURES / "simple-badge.png").read_bytes())
    assert (found.kind, found.format) == ("ob2", "json")
    assertion = json.loads(found.value)
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == "https://example.org/beths-robotics-badge.json"


def test_reads_ob3_jwt_png_from_the_1edtech_validator():
    found = unbake((FIXTURES / "simple-jwt.png").read_bytes())
    assert (found.kind, found.format) == ("ob3", "jws")
    header = json.loads(base64.urlsafe_b64decode(found.value.split(".")[0] + "=="))
    assert header["alg"] == "RS256"


def test_reads_ob3_json_svg_from_the_1edtech_validator():
    found = unbake((FIXTURES / "simple-json.svg").read_bytes())
    assert (found.kind, found.format) == ("ob3", "json")
    credential = json.loads(found.value)
    assert credential["id"] == "http://example.com/credentials/3527"
    assert credential["name"] == "Teamwork Badge"


def test_reads_ob3_jwt_svg_from_the_1edtech_validator():
    found = unbake((FIXTURES / "simple-jwt.svg").read_bytes())
    assert (found.kind, found.format) == ("ob3", "jws")
    payload = found.value.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["id"] == "http://example.com/credentials/3527"


def test_svg_baked_elsewhere_cannot_be_baked_again():
    with pytest.raises(BakeError, match="already baked"):
        bake((FIXTURES / "simple-json.svg").read_bytes(), JWS)


# --- SVG ------------------------------------------------------------------------------------


def test_svg_ob3_json_round_trip_keeps_korean_byte_exact():
    baked = bake_svg(SVG, CREDENTIAL)
    found = unbake(baked)
    assert (found.kind, found.format) == ("ob3", "json")
    assert json.loads(found.value) == CREDENTIAL
    for text in ("한국배지대학교", "과제 3개를 제출하고 ]]> 시험에 합격", "🎓"):
        assert text in found.value
    assert "한국배지대학교".encode() in baked


def test_svg_json_text_is_embedded_exactly_as_given():
    text = json.dumps(CREDENTIAL, ensure_ascii=False, indent=2)
    assert unbake(bake_svg(SVG, text)) == Baked("ob3", "json", text)


def test_svg_ob3_layout_follows_the_spec():
    baked = bake_svg(SVG, CREDENTIAL)
    root = ElementTree.fromstring(baked)
    assert root.tag == f"{{{SVG_NS}}}svg"
    first = root[0]
    assert first.tag == f"{{{OB3_NS}}}credential"
    assert first.get("verify") is None
    assert json.loads(first.text) == CREDENTIAL
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert b"<openbadges:credential><![CDATA[" in baked
    assert len(list(root.iter(f"{{{OB3_NS}}}credential"))) == 1


def test_svg_bake_keeps_the_rest_of_the_file_byte_for_byte():
    baked = bake_svg(SVG, JWS)
    head, tail = SVG.split(b"<svg ", 1)
    assert baked.startswith(head + b"<svg ")
    assert baked.endswith(tail.split(b">", 2)[2])  # everything after the root start tag
    assert b'data-note="a > b"' in baked
    assert b"<title>\xeb\xb0\xb0\xec\xa7\x80</title>" in baked


def test_svg_ob3_jws_goes_in_the_verify_attribute():
    baked = bake_svg(SVG, JWS)
    element = ElementTree.fromstring(baked)[0]
    assert element.tag == f"{{{OB3_NS}}}credential"
    assert element.get("verify") == JWS
    assert not (element.text or "").strip()
    assert unbake(baked) == Baked("ob3", "jws", JWS)


def test_svg_ob2_json_has_the_hosted_url_in_verify_and_json_in_the_body():
    baked = bake_svg(SVG, ASSERTION, kind="ob2")
    element = ElementTree.fromstring(baked)[0]
    assert element.tag == f"{{{OB2_NS}}}assertion"
    assert element.get("verify") == ASSERTION["id"]
    assert json.loads(element.text) == ASSERTION
    assert b'xmlns:openbadges="http://openbadges.org"' in baked
    found = unbake(baked)
    assert (found.kind, found.format) == ("ob2", "json")
    assert json.loads(found.value) == ASSERTION


def test_svg_ob2_json_without_a_hosted_id_has_no_verify():
    assertion = {**ASSERTION, "id": "urn:uuid:2f6e2f2e-7c8f-4c40-9f0b-0a5a1c8b8d11"}
    element = ElementTree.fromstring(bake_svg(SVG, assertion, kind="ob2"))[0]
    assert element.get("verify") is None
    assert json.loads(element.text) == assertion


@pytest.mark.parametrize(("value", "text_format"), [(HOSTED_URL, "url"), (JWS, "jws")])
def test_svg_ob2_url_and_jws_round_trip(value, text_format):
    baked = bake_svg(SVG, value, kind="ob2")
    element = ElementTree.fromstring(baked)[0]
    assert element.get("verify") == value
    assert len(element) == 0 and not element.text
    assert b"&amp;" in baked or "&" not in value
    assert unbake(baked) == Baked("ob2", text_format, value)


def test_an_independent_reader_finds_our_svg_assertion():
    assert other_baker.extract_svg(bake_svg(SVG, HOSTED_URL, kind="ob2")) == HOSTED_URL
    ob3 = bake_svg(SVG, JWS)
    assert other_baker.extract_svg(ob3, element="openbadges:credential") == JWS


def test_we_read_an_svg_baked_by_an_independent_implementation():
    theirs = other_baker.bake_svg(SVG, JWS, element="openbadges:credential", namespace=OB3_NS)
    assert unbake(theirs) == Baked("ob3", "jws", JWS)


@pytest.mark.parametrize(
    "svg", [b"\xef\xbb\xbf" + SVG, b"\n  <svg xmlns='http://www.w3.org/2000/svg'><g/></svg>"]
)
def test_bake_dispatches_on_svg_content(svg):
    baked = bake(svg, CREDENTIAL)
    assert baked.startswith(svg[:3])
    assert json.loads(unbake(baked).value) == CREDENTIAL


def test_empty_svg_root_is_opened_for_the_badge():
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', JWS)
    root = ElementTree.fromstring(baked)
    assert root[0].get("verify") == JWS
    assert root.get("width") == "1"


def test_svg_that_already_binds_the_prefix_correctly_is_not_given_a_second_declaration():
    svg = f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB3_NS}"><g/></svg>'.encode()
    baked = bake_svg(svg, JWS)
    assert baked.count(b"xmlns:openbadges") == 1
    assert unbake(baked).value == JWS


def test_svg_that_binds_the_prefix_to_something_else_is_refused():
    svg = f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB2_NS}"><g/></svg>'.encode()
    with pytest.raises(BakeError, match="prefix"):
        bake_svg(svg, JWS)


def test_a_second_svg_bake_is_refused():
    baked = bake_svg(SVG, CREDENTIAL)
    with pytest.raises(BakeError, match="already baked"):
        bake_svg(baked, CREDENTIAL)
    with pytest.raises(BakeError, match="already baked"):
        bake_svg(bake_svg(SVG, HOSTED_URL, kind="ob2"), JWS)


def test_the_badge_element_is_found_anywhere_when_reading():
    svg = f"""<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB3_NS}">
      <g><openbadges:credential verify="{JWS}"/></g></svg>""".encode()
    assert unbake(svg) == Baked("ob3", "jws", JWS)


def test_an_empty_badge_element_is_refused():
    svg = f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB3_NS}"><openbadges:credential/></svg>'
    with pytest.raises(BakeError, match="empty"):
        unbake(svg.encode())


def test_malformed_svg_credential_is_refused():
    svg = f"""<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB3_NS}">
      <openbadges:credential><![CDATA[{{"id": ]]></openbadges:credential></svg>"""
    with pytest.raises(BakeError, match="cannot be parsed"):
        unbake(svg.encode())


def test_unbaking_a_plain_svg_says_there_is_no_credential():
    with pytest.raises(BakeError, match="no Open Badges credential"):
        unbake(SVG)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>
"""


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_svg_entities_are_refused(svg):
    with pytest.raises(BakeError, match="entities"):
        bake_svg(svg, CREDENTIAL)
    with pytest.raises(BakeError, match="entities"):
        unbake(svg)


@pytest.mark.parametrize(
    "svg",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg'>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><unknown:tag/></svg>",
        b"< not xml at all",
    ],
)
def test_corrupt_svg_is_refused(svg):
    with pytest.raises(BakeError, match="well-formed"):
        bake(svg, CREDENTIAL)
    with pytest.raises(BakeError, match="well-formed"):
        unbake(svg)


def test_xml_that_is_not_svg_is_refused():
    with pytest.raises(BakeError, match="not an SVG"):
        bake(b"<html><body/></html>", CREDENTIAL)


def test_svg_in_another_encoding_is_refused_for_baking():
    svg = '<?xml version="1.0" encoding="EUC-KR"?><svg xmlns="http://www.w3.org/2000/svg"><title>배지</title></svg>'
    with pytest.raises(BakeError, match="UTF-8"):
        bake_svg(svg.encode("euc-kr"), CREDENTIAL)


def test_characters_xml_cannot_carry_are_refused():
    with pytest.raises(BakeError, match="XML"):
        bake_svg(SVG, {**CREDENTIAL, "name": "not a character \ufffe"})
