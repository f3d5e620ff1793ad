"""Report photos: checked, stripped of their metadata, named by their content's hash.

A photo people send is untrusted bytes. It must decode as an image within the size and pixel
limits; the stored copy is drawn again from its pixels only, so EXIF (the phone's GPS position,
its serial number, the time) and every other metadata block is gone. The file is named by the
SHA-256 of what is stored: the same photo sent twice is kept once.

Where the photos are kept is a `PhotoStore`: a folder, or the database's `photos` table, chosen
by BOT_PHOTO_STORE (bot/storage/photo_stores.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import warnings
from abc import ABC, abstractmethod
from enum import StrEnum

from PIL import Image, ImageOps

MAX_PIXELS = 40_000_000  # a phone photo is 12-50 MP; larger is refused before decoding
MAX_SIDE = 2048  # stored photos are scaled down to this, which is plenty to judge a stall
JPEG_QUALITY = 85
_NAME = re.compile(r"^[0-9a-f]{64}$")


class PhotoProblem(StrEnum):
    """Why a photo was refused; the feature turns each into a clear answer."""

    NOT_AN_IMAGE = "not_an_image"
    TOO_LARGE = "too_large"


class PhotoRefused(Exception):
    def __init__(self, problem: PhotoProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_copy(data: bytes, max_bytes: int) -> bytes:
    """The photo as a fresh JPEG with no metadata, turned upright, at most MAX_SIDE pixels."""
    if len(data) > max_bytes:
        raise PhotoRefused(PhotoProblem.TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoRefused(PhotoProblem.TOO_LARGE)
                if (probe.format or "").lower() not in ("jpeg", "png", "webp", "gif", "mpo"):
                    raise PhotoRefused(PhotoProblem.NOT_AN_IMAGE)
                upright = ImageOps.exif_transpose(probe)
                pixels = upright.convert("RGB")
    except PhotoRefused:
        raise
    except Exception:  # any decoder error on untrusted bytes
        raise PhotoRefused(PhotoProblem.NOT_AN_IMAGE) from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image from the pixels alone: nothing of the original's metadata can come along.
    bare = Image.new("RGB", pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


async def clean_ahead(data: bytes, max_bytes: int) -> bytes | None:
    """The clean copy made in a thread before any transaction holds the database (one
    writer at a time); None for a photo that cannot be used: the feature's `save` refuses it
    again, quickly, and says why."""
    try:
        return await asyncio.to_thread(clean_copy, data, max_bytes)
    except PhotoRefused:
        return None


def is_photo_name(name: str) -> bool:
    """Whether this is a photo's name: a SHA-256 in lowercase hex."""
    return bool(_NAME.match(name))


def check_name(name: str) -> str:
    """The name itself, if it is a photo's name; ValueError if not."""
    if not is_photo_name(name):
        raise ValueError(f"not a photo name: {name!r}")
    return name


class PhotoStore(ABC):
    """Where report photos are kept. Every method takes and gives photo names (the hash)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def save(self, data: bytes, cleaned: bytes | None = None) -> str:
        """Checks and stores a photo; returns its name (the hash). Raises PhotoRefused.

        `cleaned`: the photo as `clean_ahead` cleaned it already, outside the transaction."""
        clean = cleaned
        if clean is None:
            clean = await asyncio.to_thread(clean_copy, data, self.max_bytes)
        name = hashlib.sha256(clean).hexdigest()
        await self.put(name, clean)
        return name

    @abstractmethod
    async def put(self, name: str, clean: bytes) -> None:
        """Keeps an already cleaned photo under its name (nothing happens if it is there)."""

    @abstractmethod
    async def load(self, name: str) -> bytes | None:
        """The photo, or None if it is not here (or the name is not a photo's)."""

    @abstractmethod
    async def delete(self, name: str) -> None:
        """Removes a photo (the caller checked that nothing still uses it)."""

    @abstractmethod
    async def exists(self, name: str) -> bool: ...
