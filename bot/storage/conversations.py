"""Conversation state per user: where they are, what they typed so far, what was offered."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.core.messages import Choice
from bot.storage.db import Transaction


@dataclass
class Conversation:
    state: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)


async def load(tx: Transaction, user_id: int) -> Conversation:
    row = await tx.fetch_one(
        "SELECT state, data, choices FROM conversations WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return Conversation()
    choices = [Choice(label, payload) for label, payload in json.loads(row["choices"])]
    return Conversation(row["state"], json.loads(row["data"]), choices)


async def save(tx: Transaction, user_id: int, convo: Conversation, now: str) -> None:
    data = json.dumps(convo.data, ensure_ascii=False, sort_keys=True)
    choices = json.dumps([[c.label, c.payload] for c in convo.choices], ensure_ascii=False)
    await tx.execute(
        """INSERT INTO conversations (user_id, state, data, choices, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET
             state = excluded.state, data = excluded.data,
             choices = excluded.choices, updated_at = excluded.updated_at""",
        (user_id, convo.state, data, choices, now),
    )
