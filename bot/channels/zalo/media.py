"""Files the Zalo channel publishes under unguessable, expiring URLs.

Zalo accepts outgoing photos only as a public URL, so images the bot sends (and documents,
which Zalo cannot carry at all) are stored (`bot.storage.media`) and served by the bot's web
server at `{PUBLIC_BASE_URL}/media/{token}`. Tokens are 32 random bytes; entries expire.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.core.clock import Clock, iso
from bot.core.messages import Attachment
from bot.storage import media
from bot.storage.db import Database
from bot.storage.media import NewFile, StoredFile
from bot.web import WebRoute

DEFAULT_TTL = timedelta(days=2)
CHANNEL = "zalo"


class MediaStore:
    def __init__(self, db: Database, clock: Clock, public_base_url: str | None) -> None:
        self.db = db
        self.clock = clock
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None

    @property
    def enabled(self) -> bool:
        return self.public_base_url is not None

    async def publish(
        self, attachment: Attachment, chat_id: str, ttl: timedelta = DEFAULT_TTL
    ) -> str:
        """Stores the file made for `chat_id` and returns its public URL."""
        if self.public_base_url is None:
            raise RuntimeError("PUBLIC_BASE_URL is not set")
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        file = StoredFile(attachment.data, attachment.mime_type, attachment.filename)
        async with self.db.transaction() as tx:
            await media.add(tx, NewFile(token, file, CHANNEL, chat_id), iso(now), iso(now + ttl))
        return f"{self.public_base_url}/media/{token}"

    async def get(self, token: str) -> StoredFile | None:
        """The file behind a token, unless it is unknown or expired."""
        if not token or len(token) > 100:
            return None
        return await media.get(self.db, token, iso(self.clock.now()))


def media_route(store: MediaStore) -> WebRoute:
    """GET /media/{token}: the stored file, or 404 once unknown or expired."""

    async def endpoint(request: Request) -> Response:
        found = await store.get(str(request.path_params.get("token", "")))
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
        return Response(found.data, media_type=found.mime_type, headers=headers)

    return WebRoute("/media/{token:str}", endpoint, methods=("GET", "HEAD"))
