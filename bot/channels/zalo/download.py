"""Safe download of the photos Zalo users send.

The URL comes from an update, so it is untrusted: https on port 443 only, a host on the
allow-list (Zalo's CDN by default) whose every resolved address is public (no loopback,
private, link-local, reserved or multicast address), no redirects, a timeout, a size cap, and
the bytes must decode as an image (Pillow) before anything is stored. The connection goes to
the address that was checked (the host name is kept for TLS and the Host header), so a DNS
answer that changes in between cannot send it elsewhere. A forged `http://127.0.0.1/...`, or
an allowed name pointed at 127.0.0.1, gets nowhere.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import socket
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
    allow_private: bool = False  # tests only: a fake CDN on 127.0.0.1

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and (self.require_https or parts.scheme != "http"):
            raise UnsafeDownload(f"scheme {parts.scheme!r} not allowed")
        try:
            port = parts.port
        except ValueError:
            raise UnsafeDownload("bad port") from None
        if self.require_https and port not in (None, 443):
            raise UnsafeDownload(f"port {port} not allowed")
        host = (parts.hostname or "").lower().rstrip(".")
        if not any(
            host == allowed or host.endswith("." + allowed) for allowed in self.allowed_hosts
        ):
            raise UnsafeDownload(f"host {host!r} is not on the allow-list")

    async def resolve(self, url: str) -> str:
        """The address to connect to: the first of the host's, once all were checked."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            raise UnsafeDownload(f"host {host!r} does not resolve") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
        if not addresses:
            raise UnsafeDownload(f"host {host!r} does not resolve")
        for address in addresses:
            if not self.allow_private and not public(address):
                raise UnsafeDownload(f"host {host!r} resolves to a non-public address")
        return str(addresses[0])


def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address on the public internet (not loopback, private, link-local, reserved...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return public(address.ipv4_mapped)
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


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
            address = await policy.resolve(url)
            data = await _download(client, url, address, policy)
    except TimeoutError:
        raise UnsafeDownload("the download took too long") from None
    return data, image_type(data)


async def _download(
    client: httpx.AsyncClient, url: str, address: str, policy: DownloadPolicy
) -> bytes:
    """GET `url` from `address` (checked), with the URL's host name for TLS and Host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip = f"[{address}]" if ":" in address else address
    netloc = ip if parts.port is None else f"{ip}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    chunks: list[bytes] = []
    size = 0
    try:
        async with client.stream(
            "GET",
            pinned,
            headers={"Host": parts.netloc.rsplit("@", 1)[-1]},
            extensions={"sni_hostname": host},
            follow_redirects=False,
        ) as resp:
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
