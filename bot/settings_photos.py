"""BOT_PHOTO_STORE and BOT_PHOTO_DIR: where market report photos are kept (read by settings.py).

- BOT_PHOTO_STORE=folder: one file per photo in BOT_PHOTO_DIR. Several workers see the same
  photos only if that folder is shared between them (the same disk, or a network mount).
- BOT_PHOTO_STORE=database: the database's `photos` table; every worker of the database sees
  them, and the database's backup holds them.
- unset: `database` with DATABASE_URL (PostgreSQL, where several workers share one database),
  `folder` with the SQLite file (one machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

STORES = ("folder", "database")


def photo_settings(env: Mapping[str, str], errors: list[str]) -> dict[str, Any]:
    store = env.get("BOT_PHOTO_STORE", "").strip().lower() or "auto"
    if store not in (*STORES, "auto"):
        errors.append(
            f"BOT_PHOTO_STORE={store!r}: use folder or database (or leave it unset: database "
            "with DATABASE_URL, folder with the SQLite file)"
        )
    folder_text = env.get("BOT_PHOTO_DIR", "").strip()
    folder = Path(folder_text) if folder_text else None
    if folder is not None and folder.exists() and not folder.is_dir():
        errors.append(f"BOT_PHOTO_DIR={folder_text!r}: this is a file, not a folder")
    return {"photo_store": store, "photo_folder": folder}
