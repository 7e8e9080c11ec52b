"""Check and sanitise badge images that people upload.

Accepted: PNG, JPEG (converted to PNG) and SVG. The file's content decides its type; the file
name is only used in messages, so a GIF renamed ``.png`` is still a GIF and is refused.

- PNG and JPEG are decoded fully by Pillow (so truncated or corrupt files fail), checked against
  ``MAX_DIMENSION`` *before* decoding (so a tiny file that inflates to gigapixels is refused),
  and re-encoded as a fresh PNG holding pixels only. Every ancillary chunk goes: text chunks,
  EXIF, ICC profiles, and any baked Open Badges credential (``openbadgecredential`` /
  ``openbadges`` iTXt). Images with an ICC profile are therefore shown as if they were sRGB.
  JPEG orientation from EXIF is applied before the EXIF is dropped. Animated PNGs are refused.
- SVG is parsed with defusedxml (DTDs, entity declarations and external references are refused,
  which stops XXE and "billion laughs"), then rebuilt from an allow-list of SVG elements and
  attributes. Scripts, event handlers, ``foreignObject``, animation, links, metadata (including a
  baked ``openbadges:credential``), non-SVG namespaces, external ``href``/``url()`` references and
  ``javascript:``/``data:`` URLs are dropped; the only ``data:`` URLs kept are base64 PNG/JPEG in
  ``<image>``, and those are cleaned like an uploaded PNG/JPEG. ``<style>`` is kept only when it
  has no at-rules, no ``url()`` to anything but ``#id`` and no escapes.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass

# Element builds the cleaned tree and ParseError is caught; all parsing goes through defusedxml.
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, ImageOps

__all__ = ["MAX_DIMENSION", "MAX_UPLOAD_BYTES", "CleanImage", "clean_upload"]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 2048
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_DEPTH = 64

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"


@dataclass
class CleanImage:
    """A sanitised image ready to store: bytes, MIME type and pixel (or user-unit) size."""

    data: bytes
    content_type: str  # "image/png" or "image/svg+xml"
    width: int
    height: int


def clean_upload(data: bytes, filename: str = "") -> CleanImage:
    """Validate an uploaded badge image and return a sanitised copy.

    Raises ``ValueError`` with a message meant for the uploader when the file is too large, not
    an image, corrupt, of an unsupported type, or an SVG that cannot be made safe.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError("the upload must be bytes")
    data = bytes(data)
    label = f"{filename!r}" if filename else "the file"
    if not data:
        raise ValueError(f"{label} is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(
            f"{label} is {len(data):,} bytes; badge images may be at most "
            f"{MAX_UPLOAD_BYTES:,} bytes ({MAX_UPLOAD_BYTES // (1024 * 1024)} MB)"
        )
    kind = _sniff(data)
    if kind in ("png", "jpeg"):
        png, width, height = _clean_raster(data, kind, label)
        return CleanImage(png, "image/png", width, height)
    if kind == "svg":
        svg, width, height = _clean_svg(data, label)
        return CleanImage(svg, "image/svg+xml", width, height)
    if kind == "unsupported":
        raise ValueError(f"{label} is {_describe(data)}; upload a PNG, JPEG or SVG image instead")
    raise ValueError(f"{label} is not an image this site accepts (PNG, JPEG or SVG)")


# ---------------------------------------------------------------------------------------------
# Type sniffing


def _sniff(data: bytes) -> str:
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(_JPEG_SIGNATURE):
        return "jpeg"
    if _describe(data) != "":
        return "unsupported"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "svg"
    return "unknown"


def _describe(data: bytes) -> str:
    """Name a recognised but unsupported format, or return ""."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "a GIF image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data[:2] == b"BM":
        return "a BMP image"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "a TIFF image"
    if data[4:12] in (b"ftypavif", b"ftypheic", b"ftypmif1"):
        return "an AVIF/HEIC image"
    if data[:4] == b"\x00\x00\x01\x00":
        return "an ICO icon"
    if data[:2] == b"\x1f\x8b":
        return "a gzip-compressed file (e.g. SVGZ)"
    if data[:4] == b"%PDF":
        return "a PDF document"
    return ""


# ---------------------------------------------------------------------------------------------
# PNG / JPEG


def _clean_raster(data: bytes, kind: str, label: str) -> tuple[bytes, int, int]:
    name = "PNG" if kind == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than raising) for large images; our own limit applies first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=[name])
            width, height = probe.size
            # Only the header has been read so far: check dimensions before any pixel decoding.
            if width < 1 or height < 1:
                raise ValueError(f"{label} has no pixels")
            if width > MAX_DIMENSION or height > MAX_DIMENSION:
                raise ValueError(
                    f"{label} is {width}x{height} pixels; badge images may be at most "
                    f"{MAX_DIMENSION}x{MAX_DIMENSION}"
                )
            if getattr(probe, "n_frames", 1) > 1:
                raise ValueError(f"{label} is animated; upload a still image")
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=[name])
            image.load()
    except ValueError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses absurd headers on open, before our own check can run.
        raise ValueError(
            f"{label} claims far more pixels than allowed; badge images may be at most "
            f"{MAX_DIMENSION}x{MAX_DIMENSION}"
        ) from exc
    except (OSError, SyntaxError, EOFError) as exc:
        raise ValueError(
            f"{label} is not a valid {name} image (corrupt or truncated): {exc}"
        ) from exc

    pixels: Image.Image = image
    if kind == "jpeg":
        pixels = ImageOps.exif_transpose(image)
    pixels = _normalise_mode(pixels)
    # A fresh image from raw pixels carries no info dict, so nothing but pixels is written.
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    fresh.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue(), fresh.width, fresh.height


def _normalise_mode(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "LA") and "transparency" not in image.info:
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if mode == "CMYK":
        return image.convert("RGB")
    if "transparency" in image.info or mode in ("PA", "RGBa", "La"):
        return image.convert("RGBA")
    if mode == "1":
        return image.convert("L")
    return image.convert("RGB" if mode != "P" else "RGBA")


# ---------------------------------------------------------------------------------------------
# SVG

# Element -> extra attributes allowed on it (beyond the common presentation set).
_GEOMETRY = {
    "svg": {"width", "height", "viewBox", "preserveAspectRatio", "x", "y", "version"},
    "g": set(),
    "defs": set(),
    "symbol": {"viewBox", "preserveAspectRatio", "x", "y", "width", "height"},
    "use": {"x", "y", "width", "height", "href"},
    "title": set(),
    "desc": set(),
    "path": {"d", "pathLength"},
    "rect": {"x", "y", "width", "height", "rx", "ry", "pathLength"},
    "circle": {"cx", "cy", "r", "pathLength"},
    "ellipse": {"cx", "cy", "rx", "ry", "pathLength"},
    "line": {"x1", "y1", "x2", "y2", "pathLength"},
    "polyline": {"points", "pathLength"},
    "polygon": {"points", "pathLength"},
    "text": {"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"},
    "tspan": {"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"},
    "textPath": {"href", "startOffset", "method", "spacing", "side", "textLength", "lengthAdjust"},
    "image": {"x", "y", "width", "height", "href", "preserveAspectRatio"},
    "linearGradient": {
        "x1",
        "y1",
        "x2",
        "y2",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "href",
    },
    "radialGradient": {
        "cx",
        "cy",
        "r",
        "fx",
        "fy",
        "fr",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "href",
    },
    "stop": {"offset"},
    "clipPath": {"clipPathUnits"},
    "mask": {"x", "y", "width", "height", "maskUnits", "maskContentUnits"},
    "pattern": {
        "x",
        "y",
        "width",
        "height",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "viewBox",
        "preserveAspectRatio",
        "href",
    },
    "marker": {
        "viewBox",
        "refX",
        "refY",
        "markerUnits",
        "markerWidth",
        "markerHeight",
        "orient",
        "preserveAspectRatio",
    },
    "filter": {"x", "y", "width", "height", "filterUnits", "primitiveUnits"},
    "feGaussianBlur": {"in", "stdDeviation", "edgeMode"},
    "feOffset": {"in", "dx", "dy"},
    "feFlood": set(),
    "feBlend": {"in", "in2", "mode"},
    "feComposite": {"in", "in2", "operator", "k1", "k2", "k3", "k4"},
    "feColorMatrix": {"in", "type", "values"},
    "feMerge": set(),
    "feMergeNode": {"in"},
    "feDropShadow": {"in", "dx", "dy", "stdDeviation"},
    "feMorphology": {"in", "operator", "radius"},
    "style": {"type", "media"},
}
# Converted to <g> so their children survive while the link or switch logic does not.
_UNWRAP_TO_G = {"a", "switch"}
_TEXT_ELEMENTS = {"text", "tspan", "textPath", "title", "desc", "style"}

_PRESENTATION = {
    "id",
    "class",
    "style",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "clip-path",
    "clip-rule",
    "mask",
    "filter",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "font-variant",
    "font-stretch",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "writing-mode",
    "direction",
    "unicode-bidi",
    "stop-color",
    "stop-opacity",
    "marker-start",
    "marker-mid",
    "marker-end",
    "paint-order",
    "vector-effect",
    "shape-rendering",
    "text-rendering",
    "image-rendering",
    "color-interpolation",
    "color-interpolation-filters",
    "flood-color",
    "flood-opacity",
    "lighting-color",
    "mix-blend-mode",
    "isolation",
    "overflow",
    "result",
    "lang",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "tabindex",
}
# Properties accepted inside style="" and <style>; the same names as presentation attributes.
_CSS_PROPERTIES = _PRESENTATION - {
    "id",
    "class",
    "style",
    "transform",
    "result",
    "lang",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "tabindex",
} | {"font", "text-transform", "transform", "transform-origin", "transform-box"}

_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_URL_OPEN = re.compile(r"url\s*\(", re.IGNORECASE)
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.\-:]*")
_DATA_IMAGE = re.compile(
    r"data:image/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]+)", re.IGNORECASE | re.DOTALL
)
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px)?\s*")


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _safe_urls(value: str) -> bool:
    """True when every url(...) in a value points at a fragment in the same document."""
    return all(_FRAGMENT.fullmatch(m.group(2).strip()) for m in _URL.finditer(value))


def _unsafe_css_text(value: str) -> bool:
    lowered = value.lower()
    return (
        "\\" in value  # CSS escapes could spell out url( or javascript: in disguise
        or "@" in value
        or "expression" in lowered
        or "javascript:" in lowered
        or "-moz-binding" in lowered
        or "behavior" in lowered
        or "</" in value
        or not _safe_urls(value)
        # Every "url(" must be one the pattern understood, so none hides from _safe_urls.
        or len(_URL_OPEN.findall(value)) != len(_URL.findall(value))
    )


def _clean_style_attr(value: str) -> str:
    kept = []
    for decl in value.split(";"):
        prop, sep, val = decl.partition(":")
        prop = prop.strip().lower()
        val = val.strip()
        if not sep or not val or prop not in _CSS_PROPERTIES or _unsafe_css_text(val):
            continue
        kept.append(f"{prop}:{val}")
    return ";".join(kept)


class _SvgCleaner:
    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def element(self, el: Element, depth: int) -> Element | None:
        ns, name = _local(el.tag) if isinstance(el.tag, str) else ("", "")
        if ns != SVG_NS:
            return None  # comments, processing instructions, foreign namespaces (incl. baked data)
        if depth > MAX_SVG_DEPTH:
            raise ValueError(f"{self.label} nests SVG elements more than {MAX_SVG_DEPTH} deep")
        self.count += 1
        if self.count > MAX_SVG_ELEMENTS:
            raise ValueError(f"{self.label} has more than {MAX_SVG_ELEMENTS:,} SVG elements")
        if name in _UNWRAP_TO_G:
            name = "g"
        if name not in _GEOMETRY:
            return None
        out = Element(name)
        allowed = _PRESENTATION | _GEOMETRY[name]
        for key, value in el.attrib.items():
            attr = self.attribute(name, key, value, allowed)
            if attr is not None:
                out.set(*attr)
        if name == "image" and "xlink:href" not in out.attrib:
            return None
        if name == "style":
            text = el.text or ""
            if _unsafe_css_text(text):
                return None
            out.text = text
            return out
        if name in _TEXT_ELEMENTS:
            out.text = el.text
        for child in el:
            cleaned = self.element(child, depth + 1)
            if cleaned is not None:
                if name in _TEXT_ELEMENTS:
                    cleaned.tail = child.tail
                out.append(cleaned)
            elif name in _TEXT_ELEMENTS and child.tail:
                # Keep the words that followed a removed child inside text.
                if len(out):
                    out[-1].tail = (out[-1].tail or "") + child.tail
                else:
                    out.text = (out.text or "") + child.tail
        return out

    def attribute(
        self, element: str, key: str, value: str, allowed: set[str]
    ) -> tuple[str, str] | None:
        ns, name = _local(key)
        if ns == XLINK_NS and name == "href":
            name = "href"
        elif ns == XML_NS and name in ("space", "lang"):
            return (f"xml:{name}", value)
        elif ns:
            return None
        if name.lower().startswith("on") or name not in allowed:
            return None
        if name == "href":
            return self.href(element, value)
        if name == "style":
            cleaned = _clean_style_attr(value)
            return ("style", cleaned) if cleaned else None
        # Presentation attributes are not parsed as full CSS, so the only way out of the
        # document is a url(...) reference (fill, mask, filter, clip-path, marker-*).
        if _URL_OPEN.search(value) and not _safe_urls(value):
            return None
        return (name, value)

    def href(self, element: str, value: str) -> tuple[str, str] | None:
        value = value.strip()
        if element == "image":
            match = _DATA_IMAGE.fullmatch(value)
            if not match:
                return None  # external, javascript: or other data: URLs
            return ("xlink:href", self.embedded_image(match.group(2)))
        if _FRAGMENT.fullmatch(value):
            # xlink:href rather than SVG 2's plain href: every renderer understands it.
            return ("xlink:href", value)
        return None

    def embedded_image(self, b64: str) -> str:
        try:
            raw = base64.b64decode("".join(b64.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{self.label} embeds an image that is not valid base64") from exc
        kind = _sniff(raw)
        if kind not in ("png", "jpeg"):
            raise ValueError(f"{self.label} embeds an image that is not a PNG or JPEG")
        png, _, _ = _clean_raster(raw, kind, f"an image embedded in {self.label}")
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _dimension(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.fullmatch(value)
    return float(match.group(1)) if match else None


def _svg_size(root: Element, label: str) -> tuple[int, int]:
    width = _dimension(root.get("width"))
    height = _dimension(root.get("height"))
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        try:
            vb = [float(v) for v in box]
        except ValueError:
            vb = []
        if len(vb) == 4:
            width = width if width is not None else vb[2]
            height = height if height is not None else vb[3]
    if width is None or height is None or width <= 0 or height <= 0:
        raise ValueError(f"{label} needs a positive width and height or a viewBox")
    return max(1, round(width)), max(1, round(height))


def _serialise(el: Element) -> str:
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in el.attrib.items())
    inner = escape(el.text) if el.text else ""
    for child in el:
        inner += _serialise(child)
        if child.tail:
            inner += escape(child.tail)
    if not inner:
        return f"<{el.tag}{attrs}/>"
    return f"<{el.tag}{attrs}>{inner}</{el.tag}>"


def _clean_svg(data: bytes, label: str) -> tuple[bytes, int, int]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ValueError(
            f"{label} declares a DTD or entities, which SVG badge images may not use"
        ) from exc
    except ParseError as exc:
        raise ValueError(f"{label} is neither PNG, JPEG nor well-formed SVG: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError(f"{label} is not an SVG image (the root element must be <svg>)")
    width, height = _svg_size(root, label)
    cleaned = _SvgCleaner(label).element(root, 0)
    assert cleaned is not None  # the root was checked above
    cleaned.attrib = {
        "xmlns": SVG_NS,
        "xmlns:xlink": XLINK_NS,
        **{k: v for k, v in cleaned.attrib.items() if not k.startswith("xmlns")},
    }
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + _serialise(cleaned) + "\n"
    return text.encode("utf-8"), width, height
