"""The Zalo channel wired to a fake Zalo Bot API, for tests."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

import httpx
from PIL import Image

from bot.app import App
from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.download import DownloadPolicy
from bot.channels.zalo.media import MediaStore
from bot.channels.zalo.transport import ZaloPoller
from tests.fake_zalo import TOKEN, FakeZalo

LOCAL_POLICY = DownloadPolicy(
    allowed_hosts=("127.0.0.1",), require_https=False, max_bytes=50_000, allow_private=True
)


@dataclass
class Pauses:
    """Records the pauses the poller asks for instead of sleeping."""

    seconds: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        self.seconds.append(delay)


@dataclass
class Zalo:
    fake: FakeZalo
    url: str
    app: App
    channel: ZaloChannel
    poller: ZaloPoller
    pauses: Pauses

    async def say(self, user: str, text: str) -> list[str]:
        before = len(self.fake.texts(user))
        self.fake.push_text(user, text)
        assert await self.poller.poll_once() == "handled"
        return self.fake.texts(user)[before:]


async def make_zalo(app: App, fake: FakeZalo, url: str, public: str | None = None) -> Zalo:
    api = ZaloApi(TOKEN, base_url=url)
    downloads = httpx.AsyncClient()
    media = MediaStore(app.deps.db, app.deps.clock, public)
    pauses = Pauses()
    channel = ZaloChannel(
        app.door,
        api,
        media,
        downloads=downloads,
        policy=LOCAL_POLICY,
        send_rate=1000.0,
        sleep=pauses,
    )
    await app.inbox.start()
    return Zalo(fake, url, app, channel, ZaloPoller(channel, api, pauses), pauses)


def png(size: int = 8) -> bytes:
    """A real PNG; noise so that a large one stays large once compressed."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(buffer, "PNG")
    return buffer.getvalue()
