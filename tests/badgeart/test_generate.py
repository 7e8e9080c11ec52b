"""Badge artwork generation: shapes, icons, Korean text, determinism, fitting and validation."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from baeji.badgeart import clean_upload
from baeji.badgeart.generate import (
    FONT_FAMILY,
    ICONS,
    MAX_LEVEL,
    MAX_TEXT_LENGTH,
    SHAPES,
    BadgeDesign,
    font_bytes,
    missing_glyphs,
    render_png,
    render_svg,
    validate_design,
)

SVG = "{http://www.w3.org/2000/svg}"
SAMPLE_ICONS = ("star", "wave", "chip", "people")


def design(**changes) -> BadgeDesign:
    base = BadgeDesign(shape="circle", color="#1E6FD9", icon="star", text="수영 3단계")
    return replace(base, **changes)


def png_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


def text_box(shape: str = "circle", size: int = 256) -> tuple[int, int, int, int]:
    """Pixel box of the title banner's text area for a shape (a central slice of the banner)."""
    banner_y = {"circle": 0.655, "shield": 0.61, "hexagon": 0.655, "square": 0.65, "ribbon": 0.52}
    cy = banner_y[shape] * size
    return (int(0.2 * size), int(cy - 0.05 * size), int(0.8 * size), int(cy + 0.05 * size))


def glyphs(font: ImageFont.FreeTypeFont, text: str) -> Image.Image:
    """Draw text with the font on a black canvas, cropped to its ink."""
    image = Image.new("L", (400, 200), 0)
    ImageDraw.Draw(image).text((20, 20), text, font=font, fill=255)
    image = image.point(lambda v: 255 if v > 128 else 0)
    return image.crop(image.getbbox())


def differing_pixels(a: Image.Image, b: Image.Image) -> int:
    diff = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).convert("L")
    return diff.point(lambda v: 255 if v > 40 else 0).histogram()[255]


# ---------------------------------------------------------------------------------------------
# Every shape renders


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("icon", SAMPLE_ICONS)
def test_every_shape_renders_png_of_requested_size(shape: str, icon: str) -> None:
    data = render_png(design(shape=shape, icon=icon, subtitle="청소년수련관", level=3), size=200)
    image = png_image(data)
    assert image.size == (200, 200)
    assert image.mode == "RGBA"
    # Corners stay transparent and the centre is painted.
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((100, 100))[3] == 255


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("icon", SAMPLE_ICONS)
def test_every_shape_renders_clean_svg(shape: str, icon: str) -> None:
    svg = render_svg(design(shape=shape, icon=icon, subtitle="Youth Centre", level=2), size=300)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "300" and root.get("viewBox") == "0 0 300 300"
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "foreignObject", "image", "style", "a"}
    for el in root.iter():
        for key, value in el.attrib.items():
            assert not key.lower().startswith("on")
            assert "http:" not in value and "https:" not in value and "javascript:" not in value
            if "url(" in value:
                assert value.startswith("url(#")
    texts = [el for el in root.iter(f"{SVG}text")]
    assert [t.text for t in texts] == ["수영 3단계", "Youth Centre"]
    assert all(FONT_FAMILY in t.get("font-family") for t in texts)


def test_all_icons_render_distinct_artwork() -> None:
    crops = []
    for icon in ICONS:
        image = png_image(render_png(design(icon=icon, text="A"), size=128))
        crops.append(image.crop((32, 16, 96, 72)).tobytes())
    assert len(set(crops)) == len(ICONS)


def test_generated_svg_survives_upload_sanitiser_unchanged_in_substance() -> None:
    svg = render_svg(design(shape="ribbon", icon="globe", subtitle="참여", level=4))
    cleaned = clean_upload(svg.encode("utf-8"), "badge.svg")
    assert cleaned.content_type == "image/svg+xml"
    assert (cleaned.width, cleaned.height) == (512, 512)
    before = [el.tag for el in ET.fromstring(svg).iter()]
    after = [el.tag for el in ET.fromstring(cleaned.data).iter()]
    assert before == after  # nothing the generator emits is stripped


# ---------------------------------------------------------------------------------------------
# Text really renders


def test_font_draws_hangul_instead_of_notdef_boxes() -> None:
    font = ImageFont.truetype(io.BytesIO(font_bytes()), 64)
    notdef = glyphs(font, "\u0e01").tobytes()  # Thai: not in the font, so drawn as .notdef
    assert missing_glyphs("\u0e01") == "\u0e01"
    for ch in "수영단계참여활용가힣AZaz09":
        assert missing_glyphs(ch) == ""
        assert glyphs(font, ch).tobytes() != notdef, ch


def test_coverage_file_matches_the_font() -> None:
    font = ImageFont.truetype(io.BytesIO(font_bytes()), 48)
    notdef = glyphs(font, "\u0e01").tobytes()
    # Every Hangul syllable is covered; sample across the block against the real glyphs.
    for cp in range(0xAC00, 0xD7A4, 97):
        assert missing_glyphs(chr(cp)) == ""
        assert glyphs(font, chr(cp)).tobytes() != notdef
    for ch in ("\u0915", "\u4e00", "\U0001f600"):  # Devanagari, a Han ideograph, an emoji
        assert missing_glyphs(ch) == ch
        assert glyphs(font, ch).tobytes() == notdef


def test_korean_title_renders_distinct_glyphs() -> None:
    # Were Hangul missing, every syllable would be the same .notdef box and these would match.
    renders = {
        text: png_image(render_png(design(text=text), size=256)).crop(text_box())
        for text in ("수영", "영수", "참여")
    }
    assert differing_pixels(renders["수영"], renders["영수"]) > 150
    assert differing_pixels(renders["수영"], renders["참여"]) > 150


def test_korean_title_differs_from_notdef_rendering() -> None:
    """The banner text differs from the font's own .notdef boxes drawn at the same size."""
    rendered = png_image(render_png(design(text="수영", color="#000000"), size=512))
    rendered = rendered.crop(text_box(size=512))
    ink = rendered.convert("L").point(lambda v: 255 if v > 128 else 0)
    glyph_box = ink.getbbox()
    assert glyph_box is not None
    height = glyph_box[3] - glyph_box[1]
    font = ImageFont.truetype(io.BytesIO(font_bytes()), 64)
    size = (glyph_box[2] - glyph_box[0], height)
    real = glyphs(font, "수영").resize(size)
    tofu = glyphs(font, "\u0e01\u0e01").resize(size)

    drawn = ink.crop(glyph_box)
    assert differing_pixels(drawn, real) < differing_pixels(drawn, tofu) / 2


def test_ascii_text_renders() -> None:
    blank = png_image(render_png(design(text=" .", color="#000000"), size=256)).crop(text_box())
    ascii_ = png_image(render_png(design(text="AI Level", color="#000000"), size=256))
    assert differing_pixels(ascii_.crop(text_box()), blank) > 300


def test_subtitle_is_drawn() -> None:
    plain = png_image(render_png(design(subtitle=""), size=256))
    with_subtitle = png_image(render_png(design(subtitle="청소년수련관"), size=256))
    assert differing_pixels(plain, with_subtitle) > 200


# ---------------------------------------------------------------------------------------------
# Determinism, fitting, levels, colours


def test_rendering_is_deterministic() -> None:
    d = design(
        shape="shield", icon="wave", subtitle="청소년수련관", level=3, accent_color="#F59E0B"
    )
    assert render_png(d) == render_png(d)
    assert render_svg(d) == render_svg(d)


def title_font_size(svg: str) -> float:
    root = ET.fromstring(svg)
    return float(next(root.iter(f"{SVG}text")).get("font-size"))


def test_long_text_shrinks_to_fit() -> None:
    short = render_svg(design(text="수영"))
    long = render_svg(design(text="인공지능 리터러시 전문가 과정 수료"))
    assert title_font_size(long) < title_font_size(short)

    font = ImageFont.truetype(io.BytesIO(font_bytes()), 100)
    banner_width = (0.915 - 0.085) * 512
    for text in ("인공지능 리터러시 전문가", "가" * MAX_TEXT_LENGTH, "W" * MAX_TEXT_LENGTH):
        root = ET.fromstring(render_svg(design(text=text)))
        for el in root.iter(f"{SVG}text"):
            if el.get("font-family") and el.text and el.text.replace(" ", "") in text:
                size = float(el.get("font-size"))
                assert font.getlength(el.text) * size / 100 <= banner_width


def test_very_long_text_wraps_onto_two_lines_and_stays_inside_banner() -> None:
    text = "디지털 콘텐츠 제작 역량 심화 과정 최종 수료 인증"
    root = ET.fromstring(render_svg(design(text=text)))
    lines = [el.text for el in root.iter(f"{SVG}text")]
    assert len(lines) == 2 and " ".join(lines) == text
    font = ImageFont.truetype(io.BytesIO(font_bytes()), 100)
    title = list(root.iter(f"{SVG}text"))
    for el in title:
        assert font.getlength(el.text) * float(el.get("font-size")) / 100 <= (0.915 - 0.085) * 512
    assert float(title[0].get("y")) < float(title[1].get("y"))


def test_level_adds_stars() -> None:
    base = png_image(render_png(design(icon="check"), size=256))
    for level in (1, 4, 8):
        leveled = png_image(render_png(design(icon="check", level=level), size=256))
        assert differing_pixels(base, leveled) > 50 * level
    three = render_svg(design(level=3))
    eight = render_svg(design(level=8))
    assert eight.count("<polygon") - three.count("<polygon") == 5


def test_light_colour_gets_dark_ink() -> None:
    svg = render_svg(design(color="#FFE066", subtitle="학습"))
    root = ET.fromstring(svg)
    subtitle = list(root.iter(f"{SVG}text"))[-1]
    assert subtitle.get("fill") != "#FFFFFF"
    dark = render_svg(design(color="#1E3A8A", subtitle="학습"))
    assert list(ET.fromstring(dark).iter(f"{SVG}text"))[-1].get("fill") == "#FFFFFF"


def test_korean_text_is_escaped_in_svg() -> None:
    svg = render_svg(design(text="A&B <수영>", subtitle='"참여"'))
    root = ET.fromstring(svg)
    assert [el.text for el in root.iter(f"{SVG}text")] == ["A&B <수영>", '"참여"']


# ---------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shape": "triangle"}, "unknown shape"),
        ({"icon": "unicorn"}, "unknown icon"),
        ({"color": "blue"}, "#RRGGBB"),
        ({"color": "#12345"}, "#RRGGBB"),
        ({"accent_color": "#GGGGGG"}, "accent_color"),
        ({"text": ""}, "must not be empty"),
        ({"text": "   "}, "must not be empty"),
        ({"text": "가" * (MAX_TEXT_LENGTH + 1)}, "limit"),
        ({"subtitle": "x" * 41}, "limit"),
        ({"text": "수영\n3단계"}, "single line"),
        ({"text": "수영 🏊"}, "cannot draw"),
        ({"level": 0}, "level"),
        ({"level": MAX_LEVEL + 1}, "level"),
        ({"level": True}, "level"),
        ({"level": 2.5}, "level"),
    ],
)
def test_invalid_designs_are_refused(changes: dict, message: str) -> None:
    bad = design(**changes)
    with pytest.raises(ValueError, match=message):
        validate_design(bad)
    with pytest.raises(ValueError, match=message):
        render_png(bad)
    with pytest.raises(ValueError, match=message):
        render_svg(bad)


@pytest.mark.parametrize("size", [0, 10, 5000, True])
def test_bad_sizes_are_refused(size) -> None:
    with pytest.raises(ValueError, match="size"):
        render_png(design(), size=size)


def test_valid_design_passes_validation() -> None:
    validate_design(design(subtitle="청소년수련관", level=MAX_LEVEL, accent_color="#FFAA00"))


def test_package_does_not_import_django() -> None:
    code = "import sys, baeji.badgeart; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
