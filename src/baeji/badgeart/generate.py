"""Badge artwork from a small design template: shape, colour, icon, text and level.

Both renderers draw the same scene. The scene is a list of layers; each layer is one colour
painted through a coverage mask built from simple primitives (filled polygons, circles and
round-capped strokes), where a primitive either adds ink or cuts it away. That single
description is turned into SVG (``render_svg``) or rasterised with Pillow at 4x and reduced
(``render_png``), so the two outputs match and both are deterministic: the same design always
gives the same bytes.

Text is drawn with the vendored Pretendard Bold font (see ``fonts/README.md``). Text the font
cannot draw is refused by ``validate_design`` rather than rendered as empty boxes.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "FONT_FAMILY",
    "FONT_FILE",
    "ICONS",
    "MAX_LEVEL",
    "MAX_SUBTITLE_LENGTH",
    "MAX_TEXT_LENGTH",
    "SHAPES",
    "BadgeDesign",
    "font_bytes",
    "missing_glyphs",
    "render_png",
    "render_svg",
    "validate_design",
]

SHAPES = ("circle", "shield", "hexagon", "ribbon", "square")
ICONS = (
    "star",
    "book",
    "wave",
    "chip",
    "brush",
    "heart",
    "people",
    "flag",
    "trophy",
    "lightbulb",
    "check",
    "globe",
    "graduation",
    "target",
    "code",
)
MAX_TEXT_LENGTH = 30
MAX_SUBTITLE_LENGTH = 40
MAX_LEVEL = 10
MIN_SIZE = 64
MAX_SIZE = 2048

FONT_FILE = "Pretendard-Bold.woff2"
FONT_FAMILY = "Pretendard"
# Viewers without Pretendard fall back to the platform's Korean sans-serif.
_SVG_FONT_STACK = (
    "Pretendard, 'Pretendard Variable', 'Noto Sans KR', 'Apple SD Gothic Neo', "
    "'Malgun Gothic', 'Nanum Gothic', sans-serif"
)

_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_WHITE = (255, 255, 255)
_DARK_INK = (26, 32, 44)


@dataclass(frozen=True)
class BadgeDesign:
    """What an issuer picks for one badge image.

    ``color`` is the main fill as ``#RRGGBB``; ``accent_color`` (optional) colours the title
    banner and the level stars, otherwise a darker shade of ``color`` is used. ``level`` (1 to
    ``MAX_LEVEL``) draws that many stars above the icon.
    """

    shape: str
    color: str
    icon: str
    text: str
    subtitle: str = ""
    level: int | None = None
    accent_color: str | None = None


# ---------------------------------------------------------------------------------------------
# Font


@lru_cache(maxsize=1)
def font_bytes() -> bytes:
    """Return the vendored font file's bytes (read once from the package)."""
    return (resources.files(__package__) / "fonts" / FONT_FILE).read_bytes()


@lru_cache(maxsize=1)
def _coverage() -> tuple[tuple[int, int], ...]:
    text = (resources.files(__package__) / "fonts" / "Pretendard-Bold.coverage").read_text("ascii")
    ranges = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        first, _, last = line.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return tuple(ranges)


def missing_glyphs(text: str) -> str:
    """Return the distinct characters of ``text`` that the badge font cannot draw, in order."""
    ranges = _coverage()
    missing: list[str] = []
    for ch in text:
        cp = ord(ch)
        if ch == " " or ch in missing:
            continue
        if not any(first <= cp <= last for first, last in ranges):
            missing.append(ch)
    return "".join(missing)


@lru_cache(maxsize=64)
def _font(px: int) -> ImageFont.FreeTypeFont:
    try:
        # BASIC layout keeps metrics identical whether or not libraqm is installed.
        return ImageFont.truetype(
            io.BytesIO(font_bytes()), px, layout_engine=ImageFont.Layout.BASIC
        )
    except OSError as exc:  # pragma: no cover - depends on how Pillow was built
        raise RuntimeError(
            f"Pillow's FreeType could not open the bundled font {FONT_FILE}; it needs FreeType "
            "with WOFF2 (Brotli) support, which Pillow's own wheels include"
        ) from exc


@lru_cache(maxsize=1)
def _baseline_shift() -> float:
    """Distance, in em, from a line's visual centre down to its baseline.

    Measured on a Hangul syllable and Latin capitals together so mixed text sits centred.
    """
    ref = 1000
    _, top, _, bottom = _font(ref).getbbox("한글AB", anchor="ls")
    return -(top + bottom) / 2 / ref


# ---------------------------------------------------------------------------------------------
# Validation


def _check_color(value: str, field: str) -> None:
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
        raise ValueError(f"{field} must be a colour written as #RRGGBB, got {value!r}")


def _check_text(value: str, field: str, limit: int, required: bool) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string")
    if required and not value.strip():
        raise ValueError(f"{field} must not be empty")
    if len(value) > limit:
        raise ValueError(f"{field} is {len(value)} characters long; the limit is {limit}")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError(f"{field} must be a single line without control characters")
    missing = missing_glyphs(value)
    if missing:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:5])
        raise ValueError(f"{field} contains characters the badge font cannot draw: {shown}")


def validate_design(design: BadgeDesign) -> None:
    """Check a design before rendering; raise ``ValueError`` saying what is wrong."""
    if not isinstance(design, BadgeDesign):
        raise ValueError("expected a BadgeDesign")
    if design.shape not in SHAPES:
        raise ValueError(f"unknown shape {design.shape!r}; choose one of {', '.join(SHAPES)}")
    if design.icon not in ICONS:
        raise ValueError(f"unknown icon {design.icon!r}; choose one of {', '.join(ICONS)}")
    _check_color(design.color, "color")
    if design.accent_color is not None:
        _check_color(design.accent_color, "accent_color")
    _check_text(design.text, "text", MAX_TEXT_LENGTH, required=True)
    _check_text(design.subtitle, "subtitle", MAX_SUBTITLE_LENGTH, required=False)
    if design.level is not None and (
        isinstance(design.level, bool)
        or not isinstance(design.level, int)
        or not 1 <= design.level <= MAX_LEVEL
    ):
        raise ValueError(f"level must be a whole number from 1 to {MAX_LEVEL}, or None")


def _check_size(size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}")


# ---------------------------------------------------------------------------------------------
# Colour


def _rgb(value: str) -> tuple[int, int, int]:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _luminance(c: tuple[int, int, int]) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _ink_on(bg: tuple[int, int, int]) -> tuple[int, int, int]:
    """White where it meets the 3:1 contrast for large bold text and graphics, else near-black.

    Badges conventionally use white artwork, so white wins whenever it is legible enough.
    """
    if _contrast(_WHITE, bg) >= 3.0:
        return _WHITE
    return _WHITE if _contrast(_WHITE, bg) >= _contrast(_DARK_INK, bg) else _DARK_INK


def _hex(c: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*c)


# ---------------------------------------------------------------------------------------------
# Geometry: everything is built in unit coordinates (0..1 across the canvas) and scaled last.

Point = tuple[float, float]


@dataclass(frozen=True)
class _Poly:
    points: tuple[Point, ...]
    cut: bool = False


@dataclass(frozen=True)
class _Circle:
    cx: float
    cy: float
    r: float
    cut: bool = False


@dataclass(frozen=True)
class _Stroke:
    points: tuple[Point, ...]
    width: float
    closed: bool = False
    cut: bool = False


_Prim = _Poly | _Circle | _Stroke


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]
    cx: float
    baselines: tuple[float, ...]
    px: int  # font size at the supersampled PNG scale
    scale: int  # supersampling factor that ``px`` was chosen for


@dataclass(frozen=True)
class _Layer:
    color: tuple[int, int, int]
    opacity: float
    prims: tuple[_Prim, ...] = ()
    text: _Text | None = None


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int) -> list[Point]:
    """Points on an elliptical arc from angle a0 to a1 (degrees, y axis pointing down)."""
    out = []
    for i in range(n + 1):
        a = math.radians(a0 + (a1 - a0) * i / n)
        out.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
    return out


def _quad(p0: Point, c: Point, p1: Point, n: int = 16) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append(
            (
                u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
                u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1],
            )
        )
    return out


def _rounded(vertices: list[Point], radius: float, n: int = 8) -> list[Point]:
    """Replace each corner of a convex polygon with a circular fillet of ``radius``."""
    out: list[Point] = []
    count = len(vertices)
    for i, v in enumerate(vertices):
        p, q = vertices[i - 1], vertices[(i + 1) % count]
        d1 = _unit((p[0] - v[0], p[1] - v[1]))
        d2 = _unit((q[0] - v[0], q[1] - v[1]))
        cos_t = max(-1.0, min(1.0, d1[0] * d2[0] + d1[1] * d2[1]))
        half = math.acos(cos_t) / 2
        if radius <= 0 or half <= 1e-6:
            out.append(v)
            continue
        tangent = radius / math.tan(half)
        t1 = (v[0] + d1[0] * tangent, v[1] + d1[1] * tangent)
        t2 = (v[0] + d2[0] * tangent, v[1] + d2[1] * tangent)
        bis = _unit((d1[0] + d2[0], d1[1] + d2[1]))
        dist = radius / math.sin(half)
        c = (v[0] + bis[0] * dist, v[1] + bis[1] * dist)
        a0 = math.atan2(t1[1] - c[1], t1[0] - c[0])
        a1 = math.atan2(t2[1] - c[1], t2[0] - c[0])
        sweep = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
        for k in range(n + 1):
            a = a0 + sweep * k / n
            out.append((c[0] + radius * math.cos(a), c[1] + radius * math.sin(a)))
    return out


def _unit(v: Point) -> Point:
    length = math.hypot(v[0], v[1]) or 1.0
    return (v[0] / length, v[1] / length)


def _inset(points: list[Point], d: float) -> list[Point]:
    """Offset a convex polygon inwards by ``d`` (mitred vertices)."""
    area = sum(
        points[i - 1][0] * points[i][1] - points[i][0] * points[i - 1][1]
        for i in range(len(points))
    )
    sign = 1.0 if area > 0 else -1.0
    count = len(points)
    normals = []
    for i in range(count):
        a, b = points[i], points[(i + 1) % count]
        ex, ey = _unit((b[0] - a[0], b[1] - a[1]))
        # Inward normal of edge i; which side is "in" depends on the winding.
        normals.append((-ey * sign, ex * sign))
    out = []
    for i, p in enumerate(points):
        n1, n2 = normals[i - 1], normals[i]
        denom = 1 + n1[0] * n2[0] + n1[1] * n2[1]
        k = d / denom if denom > 1e-9 else d
        out.append((p[0] + (n1[0] + n2[0]) * k, p[1] + (n1[1] + n2[1]) * k))
    return out


def _star_points(cx: float, cy: float, r_out: float, r_in: float, n: int = 5) -> list[Point]:
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(-90 + i * 180 / n)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _transform(prims: list[_Prim], cx: float, cy: float, size: float) -> list[_Prim]:
    """Map icon primitives from their 0..100 design box into a square of ``size`` at (cx, cy)."""
    s = size / 100

    def tp(p: Point) -> Point:
        return (cx + (p[0] - 50) * s, cy + (p[1] - 50) * s)

    out: list[_Prim] = []
    for prim in prims:
        if isinstance(prim, _Poly):
            out.append(_Poly(tuple(tp(p) for p in prim.points), prim.cut))
        elif isinstance(prim, _Circle):
            x, y = tp((prim.cx, prim.cy))
            out.append(_Circle(x, y, prim.r * s, prim.cut))
        else:
            out.append(
                _Stroke(tuple(tp(p) for p in prim.points), prim.width * s, prim.closed, prim.cut)
            )
    return out


def _rotate(points: list[Point], angle: float, cx: float = 50, cy: float = 50) -> list[Point]:
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    return [
        (cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in points
    ]


# ---------------------------------------------------------------------------------------------
# Icons, each drawn in a 0..100 box as white-on-colour silhouettes.


def _icon_star() -> list[_Prim]:
    return [_Poly(tuple(_rounded(_star_points(50, 53, 48, 20), 2.5, 3)))]


def _icon_heart() -> list[_Prim]:
    pts = []
    for i in range(120):
        t = 2 * math.pi * i / 120
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((50 + x * 2.75, 47 - y * 2.75))
    return [_Poly(tuple(pts))]


def _icon_check() -> list[_Prim]:
    return [_Stroke(((16, 52), (40, 76), (84, 26)), 15)]


def _icon_book() -> list[_Prim]:
    left = [(47, 28), *_quad((47, 28), (30, 14), (6, 20))[1:], (6, 76)]
    left += _quad((6, 76), (30, 70), (47, 84))[1:]
    right = [(100 - x, y) for x, y in left]
    prims: list[_Prim] = [_Poly(tuple(left)), _Poly(tuple(right))]
    for dy in (0, 13, 26):
        prims.append(
            _Stroke(tuple(_quad((14, 36 + dy), (28, 32 + dy), (39, 39 + dy), 8)), 3.2, cut=True)
        )
        prims.append(
            _Stroke(tuple(_quad((86, 36 + dy), (72, 32 + dy), (61, 39 + dy), 8)), 3.2, cut=True)
        )
    return prims


def _wave_line(y: float, amp: float, x0: float = 8, x1: float = 92) -> tuple[Point, ...]:
    n = 40
    return tuple(
        (x0 + (x1 - x0) * i / n, y + amp * math.sin(2 * math.pi * (i / n) * 2.5))
        for i in range(n + 1)
    )


def _icon_wave() -> list[_Prim]:
    # A swimmer (head and stroking arm) above two waves.
    return [
        _Circle(70, 27, 10),
        _Stroke(((14, 50), (38, 34), (56, 48)), 9),
        _Stroke(_wave_line(64, 5), 7.5),
        _Stroke(_wave_line(84, 5), 7.5),
    ]


def _icon_chip() -> list[_Prim]:
    body = _rounded([(24, 24), (76, 24), (76, 76), (24, 76)], 6, 4)
    core = _rounded([(36, 36), (64, 36), (64, 64), (36, 64)], 3, 3)
    prims: list[_Prim] = [_Poly(tuple(body)), _Poly(tuple(core), cut=True)]
    prims.append(_Poly(tuple(_rounded([(43, 43), (57, 43), (57, 57), (43, 57)], 2, 3))))
    for c in (36, 50, 64):
        prims.append(_Stroke(((c, 8), (c, 20)), 6))
        prims.append(_Stroke(((c, 80), (c, 92)), 6))
        prims.append(_Stroke(((8, c), (20, c)), 6))
        prims.append(_Stroke(((80, c), (92, c)), 6))
    return prims


def _icon_brush() -> list[_Prim]:
    # Drawn upright, then tilted 45 degrees.
    handle = _rotate([(50, -12), (50, 46)], 45)
    ferrule = _rotate(_rounded([(39, 46), (61, 46), (61, 60), (39, 60)], 2, 3), 45)
    tip = [(39, 63), (61, 63), *_quad((61, 63), (65, 88), (50, 110), 12)[1:]]
    tip += _quad((50, 110), (35, 88), (39, 63), 12)[1:-1]
    return [
        _Stroke(tuple(handle), 13),
        _Poly(tuple(ferrule)),
        _Poly(tuple(_rotate(tip, 45))),
    ]


def _person(cx: float, top: float, scale: float, cut: bool = False, grow: float = 0) -> list[_Prim]:
    head_r = 11 * scale + grow
    head_cy = top + 11 * scale
    body_top = head_cy + 15 * scale - grow
    rx = 22 * scale + grow
    ry = 24 * scale + grow
    body = _arc(cx, body_top + ry, rx, ry, 180, 360, 24)
    return [_Circle(cx, head_cy, head_r, cut), _Poly(tuple(body), cut)]


def _icon_people() -> list[_Prim]:
    prims: list[_Prim] = []
    prims += _person(25, 18, 1.05)
    prims += _person(75, 18, 1.05)
    # A gap around the front figure separates it from the two behind it.
    prims += _person(50, 8, 1.3, cut=True, grow=4)
    prims += _person(50, 8, 1.3)
    return prims


def _icon_flag() -> list[_Prim]:
    top = [(x, y) for x, y in _wave_line(20, 4, 26, 88)]
    bottom = [(x, y + 34) for x, y in reversed(top)]
    return [
        _Stroke(((20, 12), (20, 92)), 8),
        _Poly(tuple(top + bottom)),
    ]


def _icon_trophy() -> list[_Prim]:
    cup = [(26, 12), (74, 12), (74, 30), *_quad((74, 30), (72, 58), (50, 62), 16)[1:]]
    cup += _quad((50, 62), (28, 58), (26, 30), 16)[1:-1]
    return [
        _Poly(tuple(cup)),
        _Stroke(tuple(_arc(26, 31, 14, 13, 90, 270, 20)), 6),
        _Stroke(tuple(_arc(74, 31, 14, 13, -90, 90, 20)), 6),
        _Poly(((45, 60), (55, 60), (57, 76), (43, 76))),
        _Poly(tuple(_rounded([(30, 76), (70, 76), (70, 88), (30, 88)], 3, 3))),
        _Poly(tuple(_star_points(50, 33, 11, 4.6)), cut=True),
    ]


def _icon_lightbulb() -> list[_Prim]:
    bulb = _arc(50, 38, 29, 29, 140, 400, 48)
    neck = [bulb[-1], (62, 70), (38, 70), bulb[0]]
    return [
        _Poly(tuple(bulb + neck[1:3])),
        _Stroke(tuple(_arc(50, 38, 19, 19, 200, 250, 8)), 4.5, cut=True),
        _Stroke(((38, 77), (62, 77)), 6),
        _Stroke(((41, 87), (59, 87)), 6),
    ]


def _icon_globe() -> list[_Prim]:
    prims: list[_Prim] = [_Circle(50, 50, 44)]
    cut = 3.6
    prims.append(_Stroke(tuple(_arc(50, 50, 17, 44, 0, 360, 48)), cut, closed=True, cut=True))
    prims.append(_Stroke(((4, 50), (96, 50)), cut, cut=True))
    prims.append(_Stroke(((50, 4), (50, 96)), cut, cut=True))
    prims.append(_Stroke(tuple(_quad((12, 29), (50, 38), (88, 29), 16)), cut, cut=True))
    prims.append(_Stroke(tuple(_quad((12, 71), (50, 62), (88, 71), 16)), cut, cut=True))
    return prims


def _icon_graduation() -> list[_Prim]:
    board: list[Point] = [(50.0, 14.0), (96.0, 36.0), (50.0, 58.0), (4.0, 36.0)]
    cap = [(24, 46), (76, 46), (76, 68), *_quad((76, 68), (50, 82), (24, 68), 16)[1:]]
    return [
        _Poly(tuple(cap)),
        _Poly(tuple(_inset(board, -5)), cut=True),
        _Poly(tuple(board)),
        _Stroke(((50, 36), (86, 44), (86, 68)), 3.5),
        _Poly(tuple(_rounded([(82, 66), (90, 66), (92, 80), (80, 80)], 1.5, 3))),
    ]


def _icon_target() -> list[_Prim]:
    return [
        _Circle(50, 50, 45),
        _Circle(50, 50, 35, cut=True),
        _Circle(50, 50, 26),
        _Circle(50, 50, 16, cut=True),
        _Circle(50, 50, 8),
    ]


def _icon_code() -> list[_Prim]:
    return [
        _Stroke(((30, 28), (8, 50), (30, 72)), 10),
        _Stroke(((70, 28), (92, 50), (70, 72)), 10),
        _Stroke(((58, 18), (42, 82)), 9),
    ]


_ICON_BUILDERS = {
    "star": _icon_star,
    "book": _icon_book,
    "wave": _icon_wave,
    "chip": _icon_chip,
    "brush": _icon_brush,
    "heart": _icon_heart,
    "people": _icon_people,
    "flag": _icon_flag,
    "trophy": _icon_trophy,
    "lightbulb": _icon_lightbulb,
    "check": _icon_check,
    "globe": _icon_globe,
    "graduation": _icon_graduation,
    "target": _icon_target,
    "code": _icon_code,
}
assert set(_ICON_BUILDERS) == set(ICONS)


# ---------------------------------------------------------------------------------------------
# Shapes and layout


@dataclass(frozen=True)
class _Layout:
    stars_y: float
    stars_w: float
    icon_y: float
    icon_size: float
    banner_y: float
    banner_x0: float
    banner_x1: float
    banner_h: float
    subtitle_y: float
    subtitle_w: float


_LAYOUTS = {
    "circle": _Layout(0.205, 0.40, 0.375, 0.25, 0.600, 0.085, 0.915, 0.125, 0.742, 0.56),
    "shield": _Layout(0.165, 0.50, 0.335, 0.25, 0.555, 0.075, 0.925, 0.125, 0.692, 0.52),
    "hexagon": _Layout(0.205, 0.36, 0.375, 0.25, 0.600, 0.085, 0.915, 0.125, 0.742, 0.50),
    "square": _Layout(0.190, 0.50, 0.370, 0.25, 0.595, 0.085, 0.915, 0.125, 0.745, 0.66),
    "ribbon": _Layout(0.140, 0.34, 0.290, 0.21, 0.485, 0.115, 0.885, 0.115, 0.612, 0.42),
}

_RIM = 0.032  # rim width, as a fraction of the canvas
_RIBBON_CENTER = (0.5, 0.40)
_RIBBON_R = 0.345


def _outline(shape: str) -> list[Point]:
    """Outer outline of a shape as a convex polygon in unit coordinates."""
    if shape == "square":
        return _rounded([(0.05, 0.05), (0.95, 0.05), (0.95, 0.95), (0.05, 0.95)], 0.13, 12)
    if shape == "hexagon":
        r = 0.48
        verts = [
            (
                0.5 + r * math.cos(math.radians(-90 + 60 * i)),
                0.5 + r * math.sin(math.radians(-90 + 60 * i)),
            )
            for i in range(6)
        ]
        return _rounded(verts, 0.06, 10)
    if shape == "shield":
        top = _rounded([(0.08, 0.04), (0.92, 0.04), (0.92, 0.6), (0.08, 0.6)], 0.07, 10)
        # Keep the two rounded top corners; the sides then sweep down to a point.
        upper = top[: 2 * 11]
        right = _quad((0.92, 0.52), (0.92, 0.80), (0.5, 0.975), 24)
        left = _quad((0.5, 0.975), (0.08, 0.80), (0.08, 0.52), 24)
        return upper + right + left[1:]
    raise AssertionError(shape)  # circle and ribbon are drawn with circles


def _shape_layers(
    shape: str, main: tuple[int, int, int], rim: tuple[int, int, int]
) -> list[_Layer]:
    ring = _mix(main, _WHITE, 0.35)
    if shape in ("circle", "ribbon"):
        cx, cy = (0.5, 0.5) if shape == "circle" else _RIBBON_CENTER
        r = 0.47 if shape == "circle" else _RIBBON_R
        layers: list[_Layer] = []
        if shape == "ribbon":
            tail = _mix(rim, (0, 0, 0), 0.12)
            left = ((0.30, 0.55), (0.47, 0.62), (0.36, 0.975), (0.29, 0.915), (0.20, 0.95))
            right = tuple((1 - x, y) for x, y in left)
            layers.append(_Layer(tail, 1.0, (_Poly(left), _Poly(right))))
            scallop = []
            for i in range(240):
                a = 2 * math.pi * i / 240
                rr = r + 0.035 + 0.012 * math.cos(a * 20)
                scallop.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
            layers.append(_Layer(rim, 1.0, (_Poly(tuple(scallop)),)))
            layers.append(_Layer(main, 1.0, (_Circle(cx, cy, r),)))
        else:
            layers.append(_Layer(rim, 1.0, (_Circle(cx, cy, r),)))
            layers.append(_Layer(main, 1.0, (_Circle(cx, cy, r - _RIM),)))
        ring_r = r - _RIM - 0.018 if shape == "circle" else r - 0.022
        layers.append(
            _Layer(
                ring, 0.9, (_Stroke(tuple(_arc(cx, cy, ring_r, ring_r, 0, 360, 180)), 0.006, True),)
            )
        )
        return layers
    outer = _outline(shape)
    inner = _inset(outer, _RIM)
    ring_pts = _inset(outer, _RIM + 0.018)
    return [
        _Layer(rim, 1.0, (_Poly(tuple(outer)),)),
        _Layer(main, 1.0, (_Poly(tuple(inner)),)),
        _Layer(ring, 0.9, (_Stroke(tuple(ring_pts), 0.006, True),)),
    ]


def _banner_layers(lay: _Layout, band: tuple[int, int, int]) -> list[_Layer]:
    y, h = lay.banner_y, lay.banner_h
    x0, x1 = lay.banner_x0, lay.banner_x1
    drop = h * 0.28
    tail_w = 0.085
    notch = 0.03
    back = _mix(band, (0, 0, 0), 0.25)
    fold = _mix(band, (0, 0, 0), 0.5)
    t0, t1 = y - h / 2 + drop, y + h / 2 + drop
    left_tail = (
        (x0 - tail_w, t0),
        (x0 + 0.03, t0),
        (x0 + 0.03, t1),
        (x0 - tail_w, t1),
        (x0 - tail_w + notch, (t0 + t1) / 2),
    )
    right_tail = tuple((1 - x, yy) for x, yy in left_tail)
    left_fold = ((x0, y + h / 2), (x0 + 0.03, y + h / 2), (x0 + 0.03, t1))
    right_fold = tuple((1 - x, yy) for x, yy in left_fold)
    return [
        _Layer(back, 1.0, (_Poly(left_tail), _Poly(right_tail))),
        _Layer(fold, 1.0, (_Poly(left_fold), _Poly(right_fold))),
        _Layer(
            band,
            1.0,
            (_Poly(((x0, y - h / 2), (x1, y - h / 2), (x1, y + h / 2), (x0, y + h / 2))),),
        ),
    ]


def _fit_text(
    text: str,
    width: float,
    height: float,
    max_em: float,
    min_em: float,
    scale: int,
    allow_wrap: bool,
) -> tuple[tuple[str, ...], int]:
    """Pick lines and the largest font size (supersampled px) so the text fits the box.

    ``width``/``height`` are in supersampled pixels. One line is preferred down to ``min_em`` of
    the box height; below that, longer text is split over two lines at the space nearest the
    middle (or mid-word for text without spaces) and shrunk as far as needed.
    """
    text = " ".join(text.split())
    hi = max(1, int(height * max_em))

    def largest(lines: tuple[str, ...], line_gap: float) -> int:
        lo_px, hi_px = 1, hi
        while lo_px < hi_px:
            mid = (lo_px + hi_px + 1) // 2
            font = _font(mid)
            fits = max(font.getlength(line) for line in lines) <= width and (
                mid * (1 + line_gap * (len(lines) - 1)) <= height
            )
            if fits:
                lo_px = mid
            else:
                hi_px = mid - 1
        return lo_px

    single = largest((text,), 0)
    if not allow_wrap or single >= height * min_em or len(text) < 2:
        return (text,), single
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    middle = len(text) / 2
    cut = min(spaces, key=lambda i: abs(i - middle)) if spaces else round(middle)
    lines = (text[:cut].strip(), text[cut:].strip())
    double = largest(lines, 1.12)
    if double <= single:
        return (text,), single
    return lines, double


def _text_layer(
    text: str,
    cx: float,
    cy: float,
    lay_w: float,
    lay_h: float,
    color,
    size: int,
    scale: int,
    max_em: float,
    min_em: float,
    allow_wrap: bool,
) -> _Layer:
    ss = size * scale
    lines, px = _fit_text(text, lay_w * ss, lay_h * ss, max_em, min_em, scale, allow_wrap)
    # Font px is in supersampled pixels; positions stay in unit coordinates.
    em = px / ss
    gap = em * 1.12
    shift = _baseline_shift() * em
    first = cy - gap * (len(lines) - 1) / 2
    baselines = tuple(first + gap * i + shift for i in range(len(lines)))
    return _Layer(color, 1.0, text=_Text(lines, cx, baselines, px, scale))


def _scale_factor(size: int) -> int:
    return max(1, min(4, 4096 // size))


def _scene(design: BadgeDesign, size: int) -> list[_Layer]:
    validate_design(design)
    _check_size(size)
    scale = _scale_factor(size)
    main = _rgb(design.color)
    rim = _mix(main, (0, 0, 0), 0.30)
    band = _rgb(design.accent_color) if design.accent_color else _mix(main, (0, 0, 0), 0.42)
    ink = _ink_on(main)
    lay = _LAYOUTS[design.shape]

    layers = _shape_layers(design.shape, main, rim)

    has_subtitle = bool(design.subtitle.strip())
    # Without a subtitle the content moves down to stay optically centred.
    shift = 0.0 if has_subtitle else (0.035 if design.shape == "ribbon" else 0.055)
    lay = replace(
        lay,
        stars_y=lay.stars_y + shift,
        icon_y=lay.icon_y + shift,
        banner_y=lay.banner_y + shift,
    )
    icon_y, icon_size = lay.icon_y, lay.icon_size
    if design.level is None:
        # Without the stars row the icon takes some of the freed space.
        icon_y -= 0.025
        icon_size += 0.03
    layers.append(
        _Layer(ink, 1.0, tuple(_transform(_ICON_BUILDERS[design.icon](), 0.5, icon_y, icon_size)))
    )

    if design.level is not None:
        n = design.level
        r = min(0.03, lay.stars_w / (n * 2.45))
        step = r * 2.45
        x = 0.5 - step * (n - 1) / 2
        star_color = _rgb(design.accent_color) if design.accent_color else ink
        if design.accent_color and _contrast(star_color, main) < 1.6:
            star_color = ink
        stars = tuple(
            _Poly(tuple(_star_points(x + step * i, lay.stars_y, r, r * 0.45))) for i in range(n)
        )
        layers.append(_Layer(star_color, 1.0, stars))

    layers += _banner_layers(lay, band)
    text_w = lay.banner_x1 - lay.banner_x0 - 0.07
    layers.append(
        _text_layer(
            design.text,
            0.5,
            lay.banner_y,
            text_w,
            lay.banner_h * 0.84,
            _ink_on(band),
            size,
            scale,
            max_em=0.62,
            min_em=0.42,
            allow_wrap=True,
        )
    )
    if has_subtitle:
        layers.append(
            _text_layer(
                design.subtitle,
                0.5,
                lay.subtitle_y,
                lay.subtitle_w,
                0.07,
                ink,
                size,
                scale,
                max_em=0.62,
                min_em=0.0,
                allow_wrap=False,
            )
        )
    return layers


# ---------------------------------------------------------------------------------------------
# SVG


def _n(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _svg_prim(prim: _Prim, size: int, fill: str) -> str:
    if isinstance(prim, _Poly):
        pts = " ".join(f"{_n(x * size)},{_n(y * size)}" for x, y in prim.points)
        return f'<polygon points="{pts}" fill="{fill}"/>'
    if isinstance(prim, _Circle):
        return (
            f'<circle cx="{_n(prim.cx * size)}" cy="{_n(prim.cy * size)}" '
            f'r="{_n(prim.r * size)}" fill="{fill}"/>'
        )
    pts = " ".join(f"{_n(x * size)},{_n(y * size)}" for x, y in prim.points)
    tag = "polygon" if prim.closed else "polyline"
    return (
        f'<{tag} points="{pts}" fill="none" stroke="{fill}" stroke-width="{_n(prim.width * size)}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def render_svg(design: BadgeDesign, size: int = 512) -> str:
    """Render the design as a self-contained SVG document (no scripts, no external references).

    Text stays as ``<text>`` in the vendored font's family (with Korean fallbacks), sized by the
    same measurements as the PNG so it fits the same boxes.
    """
    layers = _scene(design, size)
    label = design.text + (f" — {design.subtitle}" if design.subtitle.strip() else "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label={quoteattr(label)}>',
        f"<title>{escape(label)}</title>",
    ]
    mask_id = 0
    for layer in layers:
        color = _hex(layer.color)
        opacity = f' opacity="{_n(layer.opacity)}"' if layer.opacity < 1 else ""
        if layer.text is not None:
            t = layer.text
            font_px = t.px / t.scale
            for line, baseline in zip(t.lines, t.baselines, strict=True):
                out.append(
                    f'<text x="{_n(t.cx * size)}" y="{_n(baseline * size)}" text-anchor="middle" '
                    f'font-family="{_SVG_FONT_STACK}" font-weight="700" '
                    f'font-size="{_n(font_px)}" fill="{color}">{escape(line)}</text>'
                )
            continue
        if any(p.cut for p in layer.prims):
            mask_id += 1
            out.append(
                f'<mask id="m{mask_id}" maskUnits="userSpaceOnUse" x="0" y="0" '
                f'width="{size}" height="{size}">'
            )
            for prim in layer.prims:
                out.append(_svg_prim(prim, size, "#000000" if prim.cut else "#FFFFFF"))
            out.append("</mask>")
            out.append(
                f'<rect width="{size}" height="{size}" fill="{color}"{opacity} '
                f'mask="url(#m{mask_id})"/>'
            )
            continue
        out.append(f"<g{opacity}>")
        out.extend(_svg_prim(prim, size, color) for prim in layer.prims)
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# PNG


def _draw_prim(draw: ImageDraw.ImageDraw, prim: _Prim, ss: int) -> None:
    value = 0 if prim.cut else 255
    if isinstance(prim, _Poly):
        draw.polygon([(x * ss, y * ss) for x, y in prim.points], fill=value)
    elif isinstance(prim, _Circle):
        cx, cy, r = prim.cx * ss, prim.cy * ss, prim.r * ss
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=value)
    else:
        pts = [(x * ss, y * ss) for x, y in prim.points]
        if prim.closed:
            pts.append(pts[0])
        w = max(1, round(prim.width * ss))
        draw.line(pts, fill=value, width=w, joint="curve")
        if not prim.closed:
            # Round caps, matching stroke-linecap="round" in the SVG.
            r = w / 2
            for x, y in (pts[0], pts[-1]):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=value)


def render_png(design: BadgeDesign, size: int = 512) -> bytes:
    """Render the design as an RGBA PNG of ``size`` x ``size`` pixels with a transparent corner.

    Shapes are drawn at up to 4x and reduced for smooth edges; text uses the vendored font and is
    shrunk (and for long titles wrapped onto two lines) to fit its banner.
    """
    layers = _scene(design, size)
    scale = _scale_factor(size)
    ss = size * scale
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    for layer in layers:
        mask = Image.new("L", (ss, ss), 0)
        draw = ImageDraw.Draw(mask)
        if layer.text is not None:
            t = layer.text
            font = _font(t.px)
            for line, baseline in zip(t.lines, t.baselines, strict=True):
                draw.text((t.cx * ss, baseline * ss), line, font=font, fill=255, anchor="ms")
        else:
            for prim in layer.prims:
                _draw_prim(draw, prim, ss)
        if scale > 1:
            mask = mask.reduce(scale)
        if layer.opacity < 1:
            mask = mask.point(lambda v, o=layer.opacity: round(v * o))
        paint = Image.new("RGBA", (size, size), (*layer.color, 0))
        paint.putalpha(mask)
        canvas.alpha_composite(paint)
    buf = io.BytesIO()
    canvas.save(buf, format="PNG", optimize=False, compress_level=9)
    return buf.getvalue()
