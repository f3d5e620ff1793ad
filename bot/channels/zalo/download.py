"""Safe download of the photos Zalo users send.

The URL comes from an update, so it is untrusted: https only, a host on the allow-list (Zalo's
CDN by default), no redirects, a timeout, a size cap, and the bytes must decode as an image
(Pillow) before anything is stored. A forged `http://127.0.0.1/...` gets nowhere.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from PIL import Image

DEFAULT_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com")
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a phone photo is 12-50 MP; Pillow's own bomb limit is ~89 MP


class UnsafeDownload(Exception):
    """The photo was refused; the message says why (safe to log, no token in it)."""


@dataclass(frozen=True)
class DownloadPolicy:
    allowed_hosts: tuple[str, ...] = DEFAULT_HOSTS
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 15.0
    require_https: bool = True

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and (self.require_https or parts.scheme != "http"):
            raise UnsafeDownload(f"scheme {parts.scheme!r} not allowed")
        host = (parts.hostname or "").lower().rstrip(".")
        if not any(
            host == allowed or host.endswith("." + allowed) for allowed in self.allowed_hosts
        ):
            raise UnsafeDownload(f"host {host!r} is not on the allow-list")


async def fetch_image(
    client: httpx.AsyncClient, url: str, policy: DownloadPolicy
) -> tuple[bytes, str]:
    """Downloads and checks one image; returns (bytes, mime type).

    The timeout bounds the whole download, not each read: a server trickling bytes cannot
    hold the bot longer than `policy.timeout`.
    """
    policy.check_url(url)
    try:
        async with asyncio.timeout(policy.timeout):
            data = await _download(client, url, policy)
    except TimeoutError:
        raise UnsafeDownload("the download took too long") from None
    return data, image_type(data)


async def _download(client: httpx.AsyncClient, url: str, policy: DownloadPolicy) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async with client.stream("GET", url, follow_redirects=False) as resp:
            if resp.status_code != 200:
                raise UnsafeDownload(f"HTTP {resp.status_code}")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                raise UnsafeDownload("larger than the size cap")
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > policy.max_bytes:
                    raise UnsafeDownload("larger than the size cap")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise UnsafeDownload(type(exc).__name__) from None
    return b"".join(chunks)


def image_type(data: bytes) -> str:
    """The MIME type of real image bytes; raises UnsafeDownload for anything else.

    The bytes are untrusted, so any failure to decode, and a "decompression bomb" (a small
    file that claims a huge picture), mean "not an image".
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UnsafeDownload("the picture is too large")
                image.verify()
                kind = (image.format or "").lower()
    except UnsafeDownload:
        raise
    except Exception:  # any decoder error on untrusted bytes
        raise UnsafeDownload("not an image") from None
    if kind not in ("jpeg", "png", "webp", "gif"):
        raise UnsafeDownload(f"image type {kind!r} not accepted")
    return f"image/{kind}"
