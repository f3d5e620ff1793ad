"""The two places report photos can live, and the choice between them (BOT_PHOTO_STORE).

- `FolderPhotos`: one `<hash>.jpg` file each in a folder (BOT_PHOTO_DIR, by default `photos/`
  next to the SQLite file). Several workers see the same photos only if the folder is shared.
- `DatabasePhotos`: rows of the `photos` table, written in the caller's transaction, so every
  worker of one database sees them, and a photo is kept or erased together with its report.

`photo_store` gives the store the settings choose, wrapped so that a photo kept before the
setting changed is still found and still erased: it saves to the chosen store, loads from the
chosen store then the other, and deletes from both.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from bot.settings import Settings
from bot.storage.db import Transaction
from bot.storage.photos import PhotoStore, check_name, is_photo_name


class FolderPhotos(PhotoStore):
    def __init__(self, directory: Path, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}.jpg"

    async def put(self, name: str, clean: bytes) -> None:
        await asyncio.to_thread(self._write, self.path(name), clean)

    def _write(self, path: Path, clean: bytes) -> None:
        if path.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # A name of its own: two workers sharing the folder may write the same photo at once.
        partial = path.with_name(f"{path.stem}.{secrets.token_hex(8)}.part")
        try:
            partial.write_bytes(clean)
            partial.replace(path)  # atomic: a reader never sees half a file
        finally:
            partial.unlink(missing_ok=True)

    async def load(self, name: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self.path(name).read_bytes)
        except (OSError, ValueError):
            return None

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.path(name).unlink, missing_ok=True)

    async def exists(self, name: str) -> bool:
        return is_photo_name(name) and await asyncio.to_thread(self.path(name).is_file)

    def names(self) -> list[str]:
        """Every photo in the folder, by name (other files are left out)."""
        if not self.directory.is_dir():
            return []
        found = (p.stem for p in self.directory.glob("*.jpg"))
        return sorted(n for n in found if is_photo_name(n))


class DatabasePhotos(PhotoStore):
    def __init__(self, tx: Transaction, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.tx = tx

    async def put(self, name: str, clean: bytes) -> None:
        await self.tx.execute(
            "INSERT INTO photos (name, data) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (check_name(name), clean),
        )

    async def load(self, name: str) -> bytes | None:
        if not is_photo_name(name):
            return None
        found = await self.tx.fetch_value("SELECT data FROM photos WHERE name = ?", (name,))
        return None if found is None else bytes(found)

    async def delete(self, name: str) -> None:
        await self.tx.execute("DELETE FROM photos WHERE name = ?", (check_name(name),))

    async def exists(self, name: str) -> bool:
        if not is_photo_name(name):
            return False
        found = await self.tx.fetch_value("SELECT 1 FROM photos WHERE name = ?", (name,))
        return found is not None


class ChosenPhotos(PhotoStore):
    """Saves to `chosen`; finds and erases in `chosen` and in `other` (the former choice)."""

    def __init__(self, chosen: PhotoStore, other: PhotoStore) -> None:
        super().__init__(chosen.max_bytes)
        self.chosen, self.other = chosen, other

    async def put(self, name: str, clean: bytes) -> None:
        await self.chosen.put(name, clean)

    async def load(self, name: str) -> bytes | None:
        found = await self.chosen.load(name)
        return found if found is not None else await self.other.load(name)

    async def delete(self, name: str) -> None:
        await self.chosen.delete(name)
        await self.other.delete(name)

    async def exists(self, name: str) -> bool:
        return await self.chosen.exists(name) or await self.other.exists(name)


def photo_store(settings: Settings, tx: Transaction) -> ChosenPhotos:
    """The report photo store the settings choose, working in `tx` (the caller's transaction)."""
    folder = FolderPhotos(settings.photo_dir, settings.report_photo_max_bytes)
    table = DatabasePhotos(tx, settings.report_photo_max_bytes)
    if settings.photos_in_database:
        return ChosenPhotos(table, folder)
    return ChosenPhotos(folder, table)
