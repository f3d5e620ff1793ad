"""Replies as JSON text, so an answer can wait in the database until it is sent."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from bot.core import jsons
from bot.core.messages import Attachment, Choice, Reply


def _attachment(found: Attachment | None) -> dict[str, str] | None:
    if found is None:
        return None
    data = base64.b64encode(found.data).decode()
    return {"data": data, "filename": found.filename, "mime_type": found.mime_type}


def _read_attachment(found: Any) -> Attachment | None:
    if not isinstance(found, dict):
        return None
    return Attachment(base64.b64decode(found["data"]), found["filename"], found["mime_type"])


def encode(replies: Sequence[Reply]) -> str:
    return jsons.dumps(
        [
            {
                "text": r.text,
                "choices": [[c.label, c.payload, c.intent] for c in r.choices],
                "photo": _attachment(r.photo),
                "document": _attachment(r.document),
                "ask_location": r.ask_location,
                "lettered": r.lettered,
            }
            for r in replies
        ]
    )


def decode(text: str) -> list[Reply]:
    return [
        Reply(
            item["text"],
            tuple(Choice(*c) for c in item["choices"]),
            _read_attachment(item["photo"]),
            _read_attachment(item["document"]),
            bool(item["ask_location"]),
            bool(item["lettered"]),
        )
        for item in jsons.loads(text)
    ]
