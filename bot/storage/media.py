"""Files the bot serves itself (Zalo takes outgoing photos by URL only), and whose they are.

Each file remembers the chat it was made for, so erasing a person erases their files
(`delete_for`): a `/mydata` export holds their platform id.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database, Transaction


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    mime_type: str
    filename: str


@dataclass(frozen=True)
class NewFile:
    token: str
    file: StoredFile
    channel: str
    chat_id: str


async def add(tx: Transaction, new: NewFile, now: str, expires: str) -> None:
    """Stores a file, and forgets the expired ones."""
    await tx.execute("DELETE FROM media WHERE expires_at <= ?", (now,))
    await tx.execute(
        "INSERT INTO media (token, mime_type, filename, data, created_at, expires_at, "
        "channel, chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.token,
            new.file.mime_type,
            new.file.filename,
            new.file.data,
            now,
            expires,
            new.channel,
            new.chat_id,
        ),
    )


async def get(db: Database, token: str, now: str) -> StoredFile | None:
    """The file behind a token, unless it is unknown or expired."""
    row = await db.fetch_one(
        "SELECT data, mime_type, filename FROM media WHERE token = ? AND expires_at > ?",
        (token, now),
    )
    return StoredFile(bytes(row[0]), row[1], row[2]) if row else None


async def delete_for(tx: Transaction, channel: str, chat_id: str) -> int:
    """Every file made for this chat; how many."""
    return await tx.execute(
        "DELETE FROM media WHERE channel = ? AND chat_id = ?", (channel, chat_id)
    )
