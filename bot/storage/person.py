"""What the engine reads for every message, in one statement: the person, their
conversation, and whether they are an approved teacher (their role depends on it)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.storage import conversations, teachers, users
from bot.storage.conversations import Conversation
from bot.storage.db import Transaction
from bot.storage.users import User

_USER_COLUMNS = tuple(f.name for f in fields(User))

_SQL = """SELECT u.*, c.state AS convo_state, c.data AS convo_data,
                 c.choices AS convo_choices, t.status AS teacher_status
          FROM users u
          LEFT JOIN conversations c ON c.user_id = u.id
          LEFT JOIN teachers t ON t.user_id = u.id
          WHERE u.channel = ? AND u.channel_user_id = ?"""


@dataclass
class Person:
    user: User
    convo: Conversation
    approved_teacher: bool


async def arrive(
    tx: Transaction, channel: str, channel_user_id: str, chat_id: str, now: str
) -> Person:
    """The person who sent a message, recorded (their channel id only) if they are new.

    A changed chat id is saved: daily tips go to the chat the person last wrote from."""
    found, row = await tx.fetch_first(
        (_SQL, (channel, channel_user_id)),
        (users.CREATE_SQL, (channel, channel_user_id, chat_id, now)),
    )
    assert row is not None  # the INSERT returns the new row
    if found == 1:  # new: recorded in the same hop as the read
        return Person(users.from_row(row), Conversation(), approved_teacher=False)
    user = User(**{name: row[name] for name in _USER_COLUMNS})
    if user.chat_id != chat_id:
        user = await users.change(tx, user, chat_id=chat_id)
    convo = Conversation()
    if row["convo_state"] is not None:
        convo = conversations.from_columns(
            row["convo_state"], row["convo_data"], row["convo_choices"]
        )
    return Person(user, convo, approved_teacher=row["teacher_status"] == teachers.APPROVED)
