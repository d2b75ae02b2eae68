"""The collaboration map as a PNG for the chat, drawn with Pillow from the same layout as the SVG.

Korean labels need a font with Hangul: Debian's `fonts-nanum` (NanumGothic, the lightest) or
`fonts-noto-cjk`. The font is found at a known path or through fontconfig and checked to
really draw Hangul (not the empty-box "tofu" glyph); without one, `FontMissing` names the
package to install rather than posting a map of boxes. Drawing is CPU work of some tens of
milliseconds: call it from a worker thread, not the event loop.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from commands.collab.model import CollabReport
from commands.collab.svg import (
    COLOURS,
    EMPTY_KO,
    LABEL_SIZE,
    LEGEND_KO,
    NOTE_SIZE,
    TITLE_SIZE,
    MapLayout,
    layout,
)

FONT_PACKAGE = "fonts-nanum"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
HANGUL_PROBE = "한"
MISSING_PROBE = "\U0010fffd"
SCALE = 2

Font = ImageFont.FreeTypeFont


class FontMissing(RuntimeError):
    """No font that draws Hangul: the map would show boxes instead of ministry names."""


def has_hangul(font: Font) -> bool:
    """Whether the font draws a Hangul syllable, rather than nothing or its missing-glyph box."""
    return _glyph(font, HANGUL_PROBE) not in (_glyph(font, MISSING_PROBE), _glyph(font, " "))


def _glyph(font: Font, char: str) -> bytes:
    size = int(font.size * 2)
    canvas = Image.new("L", (size, size), 0)
    ImageDraw.Draw(canvas).text((size // 4, size // 4), char, font=font, fill=255)
    return canvas.tobytes()


def find_font(path: str | Path | None = None) -> Path:
    """The font file to draw with: `path` if given (it must draw Hangul), else the first known
    Hangul font installed, else what fontconfig matches for Korean. FontMissing otherwise."""
    if path is not None:
        if not _usable(str(path)):
            raise FontMissing(f"{path} is not a readable font with Hangul; {_advice()}")
        return Path(path)
    found = _installed_font()
    if found is None:
        raise FontMissing(f"no font with Hangul (한글) found; {_advice()}")
    return Path(found)


def _advice() -> str:
    return (
        f"install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) "
        "or fonts-noto-cjk, or configure the path of a .ttf/.otf/.ttc font that has Hangul"
    )


@lru_cache(maxsize=1)
def _installed_font() -> str | None:
    for candidate in (*FONT_CANDIDATES, _fontconfig_match()):
        if candidate and _usable(candidate):
            return candidate
    return None


def _fontconfig_match() -> str | None:
    """fontconfig's best font for Korean; it answers even without one, hence `_usable`."""
    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(
            ["fc-match", "--format=%{file}", ":lang=ko"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


@lru_cache(maxsize=16)
def _usable(path: str) -> bool:
    try:
        return has_hangul(ImageFont.truetype(path, 20))
    except OSError:
        return False


@lru_cache(maxsize=32)
def load_font(path: str, size: int) -> Font:
    """A FreeType font at a pixel size (cached: the map uses three sizes)."""
    return ImageFont.truetype(path, size)


def map_png(
    report: CollabReport,
    width: int = 900,
    height: int = 700,
    *,
    title: str | None = None,
    font: str | Path | None = None,
) -> bytes:
    """The map as PNG bytes of `width` × `height`, drawn at twice the size and scaled down so
    lines and circles are smooth. `font` overrides the font search (see `find_font`)."""
    font_path = str(find_font(font))
    plan = layout(report, width, height, title)
    canvas = Image.new("RGB", (width * SCALE, height * SCALE), "#ffffff")
    draw = ImageDraw.Draw(canvas, "RGBA")
    _draw_map(draw, plan, font_path)
    picture = canvas.resize((width, height), Image.Resampling.LANCZOS)
    out = BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_map(draw: ImageDraw.ImageDraw, plan: MapLayout, font_path: str) -> None:
    def at(x: float, y: float) -> tuple[float, float]:
        return x * SCALE, y * SCALE

    def text(x: float, y: float, words: str, size: int, anchor: str, colour: str) -> None:
        face = load_font(font_path, size * SCALE)
        draw.text(at(x, y), words, font=face, fill=colour, anchor=anchor)

    for edge in plan.edges:
        colour = _rgba(COLOURS["strong" if edge.strong else "edge"], 180)
        width = max(round(edge.width * SCALE), 1)
        draw.line([at(edge.x1, edge.y1), at(edge.x2, edge.y2)], fill=colour, width=width)
    for line in plan.disputes:
        width = max(round(line.width * SCALE), 1)
        colour = _rgba(COLOURS["dispute"], 220)
        draw.line([at(line.x1, line.y1), at(line.x2, line.y2)], fill=colour, width=width)
    for node in plan.nodes:
        box = [*at(node.x - node.r, node.y - node.r), *at(node.x + node.r, node.y + node.r)]
        fill = COLOURS["silent" if node.silent else "node"]
        draw.ellipse(box, fill=fill, outline="#ffffff", width=2 * SCALE)
        text(node.label_x, node.label_y, node.name, LABEL_SIZE, node.anchor, COLOURS["text"])
    text(plan.width / 2, TITLE_SIZE + 8, plan.title, TITLE_SIZE, "ms", COLOURS["text"])
    text(12, plan.height - 10, LEGEND_KO, NOTE_SIZE, "ls", COLOURS["note"])
    if not plan.nodes:
        text(plan.width / 2, plan.height / 2, EMPTY_KO, LABEL_SIZE, "mm", COLOURS["note"])


def _rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    value = int(colour.removeprefix("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF, alpha
