"""A bounded record of platform message ids already handled, per channel.

Zalo's getUpdates has no offset and has been seen repeating updates; its webhook retries are
undocumented. Marking an id before handling it makes each message count once, across restarts.
"""

from __future__ import annotations

from bot.storage.db import Transaction

KEEP_PER_CHANNEL = 5000


async def first_time(tx: Transaction, channel: str, message_id: str, now: str) -> bool:
    """Records the id; False if it was seen before."""
    changed = await tx.execute(
        "INSERT INTO channel_seen (channel, message_id, seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (channel, message_id) DO NOTHING",
        (channel, message_id, now),
    )
    return changed == 1


async def prune(tx: Transaction, channel: str, keep: int = KEEP_PER_CHANNEL) -> int:
    """Forgets all but the `keep` most recent ids of the channel."""
    return await tx.execute(
        """DELETE FROM channel_seen WHERE channel = ? AND message_id NOT IN (
               SELECT message_id FROM channel_seen WHERE channel = ?
               ORDER BY seen_at DESC LIMIT ?)""",
        (channel, channel, keep),
    )
