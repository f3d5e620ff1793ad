"""Conversation state per user: where they are, what they typed so far, what was offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core import jsons
from bot.core.messages import Choice
from bot.storage.db import Transaction


@dataclass
class Conversation:
    """`question` is the pending question in brief, asked again after an answer that was not
    understood; `misses` counts such answers in a row; `lettered` shows options as A-D."""

    state: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    question: str = ""
    misses: int = 0
    lettered: bool = False


def _choices_from_json(raw: str) -> tuple[list[Choice], dict[str, Any]]:
    """The offered choices, and the pending question's details (older rows: a bare list)."""
    stored = jsons.loads(raw)
    if isinstance(stored, list):
        stored = {"choices": stored}
    choices = [Choice(*item) for item in stored.get("choices", [])]
    return choices, stored


async def load(tx: Transaction, user_id: int) -> Conversation:
    row = await tx.fetch_one(
        "SELECT state, data, choices FROM conversations WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return Conversation()
    return from_columns(row["state"], row["data"], row["choices"])


def from_columns(state: str, data: str, choices: str) -> Conversation:
    """A conversation from its stored columns (read here or joined to another table)."""
    offered, pending = _choices_from_json(choices)
    return Conversation(
        state,
        jsons.loads(data),
        offered,
        question=str(pending.get("question", "")),
        misses=int(pending.get("misses", 0)),
        lettered=bool(pending.get("lettered", False)),
    )


async def save(tx: Transaction, user_id: int, convo: Conversation, now: str) -> None:
    data = jsons.dumps(convo.data, sort_keys=True)
    pending: dict[str, Any] = {
        "choices": [[c.label, c.payload, c.intent] for c in convo.choices],
    }
    if convo.question:
        pending["question"] = convo.question
    if convo.misses:
        pending["misses"] = convo.misses
    if convo.lettered:
        pending["lettered"] = True
    choices = jsons.dumps(pending)
    await tx.later(
        """INSERT INTO conversations (user_id, state, data, choices, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET
             state = excluded.state, data = excluded.data,
             choices = excluded.choices, updated_at = excluded.updated_at""",
        (user_id, convo.state, data, choices, now),
    )


async def updated_at(tx: Transaction, user_id: int) -> str | None:
    """When the person's conversation last moved (ISO UTC), or None if it never did."""
    value = await tx.fetch_value(
        "SELECT updated_at FROM conversations WHERE user_id = ?", (user_id,)
    )
    return None if value is None else str(value)
