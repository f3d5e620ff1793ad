"""python-telegram-bot's HTTP backend on aiohttp: a kept-alive connection pool per request object.

python-telegram-bot talks to the Bot API through a `BaseRequest` (its documented extension
point); the default one is on httpx, which costs about 0.85 ms of CPU per call on loopback,
most of this bot's CPU under load. This one sends the same requests (the parameters as JSON,
multipart when there are files, python-telegram-bot's User-Agent) through one
`aiohttp.ClientSession` whose connector keeps up to `connections` connections alive.

`do_request` only moves bytes: `BaseRequest` turns the status and the JSON body into
python-telegram-bot's errors (`RetryAfter` from a 429's `retry_after`, `Forbidden`,
`BadRequest`...), as with httpx. Transport failures map as `HTTPXRequest` maps them: any
timeout is `TimedOut` (waiting for a free connection included), any other aiohttp failure
`NetworkError`. The timeouts: `connect` covers waiting for a pooled connection (`pool_timeout`)
plus opening one; `read` is the longest silence while the answer is awaited (for an upload,
the longer of `read` and `media_write_timeout`, since aiohttp has no write timeout of its own).
"""

from __future__ import annotations

import functools
import urllib.request
from typing import Any, cast
from urllib.parse import SplitResult, urlsplit

import aiohttp
import httptools
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.lean_http import LeanHttp
from bot.core import jsons

JSON = {"Content-Type": "application/json"}
KEEP_ALIVE = 30.0  # seconds an idle connection is kept (Telegram keeps them longer)


def _seconds(value: Any, default: float | None) -> float | None:
    """A timeout argument: python-telegram-bot's "not given" means the request's default."""
    return default if isinstance(value, DefaultValue) else value


def _total(*parts: float | None) -> float | None:
    return None if any(part is None for part in parts) else sum(p for p in parts if p)


@functools.cache
def env_proxy(scheme: str, host: str) -> str | None:
    """The proxy the environment names for this scheme and host (HTTPS_PROXY, HTTP_PROXY,
    ALL_PROXY, NO_PROXY), as httpx, python-telegram-bot's default backend, honours them; read
    once per host: aiohttp's own `trust_env` reads them again for every request."""
    if urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(scheme) or proxies.get("all")


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one aiohttp session (see the module's notes)."""

    def __init__(
        self,
        connections: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.connections = connections
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """python-telegram-bot's hook for another JSON library: orjson (about a quarter of the
        time); what orjson cannot read goes to python-telegram-bot's own parsing, which
        replaces invalid UTF-8 and raises its `TelegramError` for what is not JSON."""
        try:
            return cast(JSONDict, orjson.loads(payload))
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)

    async def initialize(self) -> None:
        """Opens the session (aiohttp wants a running loop for it); again after `shutdown`."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.connections, keepalive_timeout=KEEP_ALIVE, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _seconds(read_timeout, self._read)
        if files:
            write = _seconds(write_timeout, self._media_write)
            read = None if read is None or write is None else max(read, write)
        connect = _seconds(connect_timeout, self._connect)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_total(_seconds(pool_timeout, self._pool), connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body = _body(request_data)
            headers = JSON if isinstance(body, bytes) else None
            where = urlsplit(url)
            proxy = env_proxy(where.scheme, where.hostname or "")
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Timed out ({type(exc).__name__})") from exc
        except aiohttp.ClientError as exc:  # its text may hold the URL, the token with it
            text = str(exc).replace(urlsplit(url).path, "/…")
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {text}") from exc


class LeanRequest(AiohttpRequest):
    """`AiohttpRequest`, with the plain JSON POSTs (every call but uploads and file
    downloads; the channel has one for getUpdates and one for the rest) on kept-alive
    connections of `LeanHttp`, unless the environment names a proxy for the host."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lean: dict[tuple[str, str, int], LeanHttp] = {}
        self._origins: dict[str, tuple[str, str, int] | None] = {}  # one URL per method

    async def shutdown(self) -> None:
        for lean in self._lean.values():
            lean.close()
        await super().shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        origin = None
        if method == "POST" and request_data is not None and not request_data.contains_files:
            if url not in self._origins:
                self._origins[url] = lean_origin(url)
            origin = self._origins[url]
        if origin is None:
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        if self._session is None or self._session.closed:
            raise RuntimeError("This LeanRequest is not initialized!")
        lean = self._lean.get(origin) or self._lean.setdefault(
            origin, LeanHttp(*origin, self.connections)
        )
        body = _body(request_data)
        assert isinstance(body, bytes)  # no files: JSON
        try:
            return await lean.post_json(
                _split(url).path,
                body,
                self.USER_AGENT,
                pool_timeout=_seconds(pool_timeout, self._pool),
                connect_timeout=_seconds(connect_timeout, self._connect),
                read_timeout=_seconds(read_timeout, self._read),
            )
        except TimeoutError as exc:
            raise TimedOut(f"Timed out ({type(exc).__name__})") from exc
        except (OSError, httptools.HttpParserError) as exc:  # no URL in it, so no token
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc


@functools.lru_cache(maxsize=64)
def _split(url: str) -> SplitResult:
    """The Bot API's URLs are a few, one per method: split once each."""
    return urlsplit(url)


def lean_origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL `LeanHttp` may serve: None where the environment names
    a proxy for its host (aiohttp goes through it) or the URL does not parse (aiohttp says
    why, without the token)."""
    where = _split(url)
    try:
        port = where.port or (443 if where.scheme == "https" else 80)
    except ValueError:
        return None
    if where.scheme not in ("http", "https") or not where.hostname:
        return None
    if env_proxy(where.scheme, where.hostname) is not None:
        return None
    return where.scheme, where.hostname, port


def _body(request_data: RequestData | None) -> bytes | aiohttp.FormData | None:
    """The parameters as a JSON object (the Bot API takes `application/json`; form-encoding
    escapes Vietnamese byte by byte in Python, a third of the call); with files, a multipart
    form of the parameters (each JSON-encoded, as python-telegram-bot's httpx backend sends
    them) and the files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return jsons.dump_bytes(request_data.parameters)
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
