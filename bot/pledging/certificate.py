"""The certificate for a completed pledge: a PNG drawn with Pillow in Be Vietnam Pro.

Be Vietnam Pro (the `fontpkg-be-vietnam-pro` package) has every Vietnamese letter with its
diacritics, stacked ones included (ặ, ữ, ỡ). `missing_glyphs` tells which characters of a
text a font would draw as its empty box (.notdef), so a test can prove that none is missing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import fontpkg_be_vietnam_pro
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
REGULAR = FONT_DIR / "BeVietnamPro-Regular.ttf"
BOLD = FONT_DIR / "BeVietnamPro-Bold.ttf"
SIZE = (1200, 850)
MARGIN = 90
GREEN = (22, 101, 52)
INK = (31, 41, 55)
PAPER = (250, 247, 237)
FACES = ((BOLD, 54), (REGULAR, 38), (BOLD, 34), (REGULAR, 28))  # the sizes drawn
NOT_A_CHARACTER = "\u0378"  # unassigned in Unicode: every font draws its .notdef glyph

Font = ImageFont.FreeTypeFont
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Certificate:
    """The texts on the certificate, already in the person's language."""

    title: str  # "Chứng nhận hoàn thành cam kết"
    pledge: str  # the pledge in full
    detail: str  # "4 tuần, giữ được 4 tuần"
    footer: str  # campaign and date

    @property
    def text(self) -> str:
        return "\n".join((self.title, self.pledge, self.detail, self.footer))


@cache
def font(path: Path, size: int) -> Font:
    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=4096)
def _glyph(face: Font, char: str) -> tuple[tuple[int, int], bytes]:
    """A character's rendered mask (read pixel by pixel: each is kept, for every certificate
    checks the same characters)."""
    mask = face.getmask(char)
    width, height = mask.size
    return mask.size, bytes(mask.getpixel((x, y)) for y in range(height) for x in range(width))


def missing_glyphs(text: str, face: Font) -> set[str]:
    """The characters of `text` the font has no glyph for (it would draw its .notdef glyph)."""
    notdef = _glyph(face, NOT_A_CHARACTER)
    return {c for c in set(text) if not c.isspace() and _glyph(face, c) == notdef}


def _wrap(text: str, face: Font, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and face.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, face: Font, fill: Colour) -> int:
    """Draws `text` wrapped and centred from `y` down; returns the y below it."""
    for line in _wrap(text, face, SIZE[0] - 2 * MARGIN):
        width = face.getlength(line)
        draw.text(((SIZE[0] - width) / 2, y), line, font=face, fill=fill)
        y += int(face.size * 1.45)
    return y


def render(certificate: Certificate) -> bytes:
    """The certificate as PNG bytes."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, SIZE[0] - 24, SIZE[1] - 24), outline=GREEN, width=8)
    draw.rectangle((44, 44, SIZE[0] - 44, SIZE[1] - 44), outline=GREEN, width=2)
    draw.ellipse((SIZE[0] / 2 - 36, 90, SIZE[0] / 2 + 36, 162), fill=GREEN)
    y = _centred(draw, 200, certificate.title, font(BOLD, 54), GREEN)
    y = _centred(draw, y + 40, certificate.pledge, font(REGULAR, 38), INK)
    _centred(draw, y + 30, certificate.detail, font(BOLD, 34), INK)
    _centred(draw, SIZE[1] - 170, certificate.footer, font(REGULAR, 28), INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
