"""The users aggregate: one row per person per channel."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.storage.db import Row, Transaction, as_dict

# Columns a feature may change; anything else is a programming error.
_UPDATABLE = frozenset(
    {
        "chat_id",
        "consent_at",
        "locale",
        "audience",
        "school_level",
        "age_band",
        "commune_code",
        "officer_agency",
        "officer_commune",
        "tip_time",
        "tip_since",
        "reachable",
        "onboarded_at",
        "reached_year",
        "market_id",
        "address_form",
    }
)


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    channel_user_id: str
    chat_id: str
    created_at: str
    consent_at: str | None
    locale: str | None
    audience: str | None
    school_level: str | None
    age_band: str | None
    commune_code: str | None
    officer_agency: str | None
    officer_commune: str | None
    tip_time: str | None
    tip_since: str | None
    reachable: int
    onboarded_at: str | None
    reached_year: str | None
    market_id: str | None = None  # a trader's market (content/markets.yaml)
    address_form: str | None = None  # "ban" or "ongba" when chosen in /settings (core.auth)

    @property
    def consented(self) -> bool:
        return self.consent_at is not None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None

    @property
    def is_officer(self) -> bool:
        return self.officer_agency is not None

    @property
    def address(self) -> str:
        """The `channel:user_id` form used in settings (e.g. the admin list)."""
        return f"{self.channel}:{self.channel_user_id}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_row(row: Row) -> User:
    return User(**as_dict(row))


async def get(tx: Transaction, user_id: int) -> User | None:
    row = await tx.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
    return from_row(row) if row else None


async def find(tx: Transaction, channel: str, channel_user_id: str) -> User | None:
    row = await tx.fetch_one(
        "SELECT * FROM users WHERE channel = ? AND channel_user_id = ?", (channel, channel_user_id)
    )
    return from_row(row) if row else None


async def get_or_create(
    tx: Transaction, channel: str, channel_user_id: str, chat_id: str, now: str
) -> User:
    """Finds the person, or records only their channel id (nothing else before consent)."""
    user = await find(tx, channel, channel_user_id)
    if user is None:
        return await create(tx, channel, channel_user_id, chat_id, now)
    if user.chat_id != chat_id:
        user = await update(tx, user.id, chat_id=chat_id)
    return user


CREATE_SQL = """INSERT INTO users (channel, channel_user_id, chat_id, created_at)
                VALUES (?, ?, ?, ?) RETURNING *"""


async def create(
    tx: Transaction, channel: str, channel_user_id: str, chat_id: str, now: str
) -> User:
    """Records a new person: only their channel id (nothing else before consent)."""
    row = await tx.fetch_one(CREATE_SQL, (channel, channel_user_id, chat_id, now))
    assert row is not None
    return from_row(row)


def _update_sql(fields: dict[str, object]) -> str:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    return f"UPDATE users SET {assignments} WHERE id = ?"


async def update(tx: Transaction, user_id: int, **fields: object) -> User:
    row = await tx.fetch_one(f"{_update_sql(fields)} RETURNING *", (*fields.values(), user_id))
    assert row is not None
    return from_row(row)


async def change(tx: Transaction, user: User, **fields: object) -> User:
    """`update` for a caller that holds the person's row: the write goes with the
    transaction's next statement or its COMMIT (`Transaction.later`), and the row is changed
    in memory, as the database changes it (no column is computed there)."""
    await tx.later(_update_sql(fields), (*fields.values(), user.id), expect_changed=1)
    return replace(user, **fields)  # type: ignore[arg-type]


async def delete(tx: Transaction, user_id: int) -> None:
    """Erases the person; their conversations, tips and deliveries go with them (cascade)."""
    await tx.execute("DELETE FROM users WHERE id = ?", (user_id,))
