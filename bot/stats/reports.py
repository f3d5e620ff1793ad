"""Market reports received and approved in a year, by market (the market reports' tables).

Read only when the tables exist (they come with the market reports' migration). A report is
received on its `day` whatever became of it; approved when its status is. Reports a person
erased before approval are gone, approved ones stay (see `bot.storage.reports`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Content
from bot.storage.db import Transaction

APPROVED = "approved"


@dataclass(frozen=True)
class MarketReports:
    market_id: str
    name: str
    commune_code: str
    received: int
    approved: int


async def by_market(
    content: Content, tx: Transaction, year: int, communes: list[str] | None
) -> list[MarketReports] | None:
    """Markets with reports in the year, most received first. (It used to look for the
    table first: on PostgreSQL that was a catalogue query of 3 ms in every /stats.)"""
    # Grouped first, named after: the markets' names are looked up once per group, not per
    # report; a year is a range of days, which the covering index of migration 11 serves.
    sql = """SELECT market_id, commune_code, COUNT(*),
                    SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)
             FROM reports WHERE day >= ? AND day < ?"""
    params: list[object] = [APPROVED, f"{year}-01-01", f"{year + 1}-01-01"]
    if communes is not None:
        sql += f" AND commune_code IN ({','.join('?' * len(communes)) or 'NULL'})"
        params += communes
    sql = f"""SELECT g.*, m.name FROM ({sql} GROUP BY market_id, commune_code) g
              LEFT JOIN markets m ON m.id = g.market_id"""
    rows = await tx.fetch_all(sql, tuple(params))
    markets = {m.id: m for m in content.markets}
    found = []
    for market_id, commune, received, approved, added_name in rows:
        market = markets.get(str(market_id))
        name = market.name.get("vi") if market else (added_name or str(market_id))
        found.append(
            MarketReports(str(market_id), str(name), str(commune), int(received), int(approved))
        )
    return sorted(found, key=lambda m: (-m.received, m.name))
