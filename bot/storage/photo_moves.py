"""`python -m bot photos-to-db`: the report photos of the folder moved into the database.

For a deployment that kept its photos in a folder (BOT_PHOTO_STORE=folder, or SQLite before
`copy-to`) and now keeps them in the database. The bot finds a photo in either place, so this
may run while it serves. Each photo is checked against its name (the SHA-256 of its bytes): a
file that does not match is left where it is and named. The rows are written a batch at a time,
one transaction each, and a batch's files are deleted only after its transaction committed,
so that a failure loses nothing: running it again goes on where it stopped. Each batch checks,
under the writers' lock, that its files are still there: a photo erased meanwhile (/deleteme)
does not come back as a row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.storage.db import Database
from bot.storage.photo_stores import DatabasePhotos, FolderPhotos

BATCH = 50  # photos per transaction: at most ~50 x 1 MB held at once


@dataclass
class Moved:
    moved: int = 0
    damaged: list[str] = field(default_factory=list)  # names whose bytes do not match


async def folder_to_database(
    db: Database, folder: FolderPhotos, say: Callable[[str], None]
) -> Moved:
    """Moves every photo of `folder` into the `photos` table of `db` (migrated)."""
    names = folder.names()
    result = Moved()
    for start in range(0, len(names), BATCH):
        batch: list[tuple[str, bytes]] = []
        for name in names[start : start + BATCH]:
            data = await folder.load(name)
            if data is None:
                continue  # deleted meanwhile (a report erased while this runs)
            if hashlib.sha256(data).hexdigest() != name:
                result.damaged.append(name)
                continue
            batch.append((name, data))
        async with db.transaction() as tx:
            table = DatabasePhotos(tx, folder.max_bytes)
            # Under the writers' lock: a photo erased since it was read is not brought back.
            batch = [(name, data) for name, data in batch if await folder.exists(name)]
            for name, data in batch:
                await table.put(name, data)
        for name, _data in batch:
            await folder.delete(name)
        result.moved += len(batch)
        say(f"photos: {result.moved:,}/{len(names):,} moved")
    return result
