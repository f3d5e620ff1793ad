"""One-time invite codes that grant a role. Only a hash of each code is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from bot.storage.db import Transaction

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Invite:
    role: str
    agency: str | None
    commune_code: str | None
    expires_at: str


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    text = text.strip().upper()
    return len(text) == CODE_LENGTH and all(c in _ALPHABET for c in text)


async def create(
    tx: Transaction,
    *,
    role: str,
    agency: str | None,
    commune_code: str | None,
    created_by: str,
    now: str,
    expires_at: str,
) -> str:
    code = new_code()
    await tx.execute(
        """INSERT INTO invites (code_hash, role, agency, commune_code, created_by, created_at,
                                expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (code_hash(code), role, agency, commune_code, created_by, now, expires_at),
    )
    return code


async def redeem(tx: Transaction, code: str, user_id: int, now: str) -> Invite | None:
    """Marks the code used by this user, if it exists, is unused and has not expired.

    The single conditional UPDATE makes redemption atomic: two people racing for one code
    cannot both win.
    """
    digest = code_hash(code)
    changed = await tx.execute(
        """UPDATE invites SET used_at = ?, used_by = ?
           WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?""",
        (now, user_id, digest, now),
    )
    if changed != 1:
        return None
    row = await tx.fetch_one(
        "SELECT role, agency, commune_code, expires_at FROM invites WHERE code_hash = ?", (digest,)
    )
    assert row is not None
    return Invite(row["role"], row["agency"], row["commune_code"], row["expires_at"])
