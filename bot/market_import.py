"""`python -m bot import-markets FILE`: markets from a CSV file, as the schools import does.

The file has a header row; columns in any order, English or Vietnamese, accents optional:

- `name` (tên chợ): the market's name, e.g. `Chợ Na Sầm`;
- `commune` (xã/phường): the commune's code (06172) or its current name;
- `kind` (loại), optional: market / supermarket / trade_centre, or chợ / siêu thị / trung tâm
  thương mại (default: market);
- `model_point` (điểm mô hình), optional: yes/no, có/không, 1/0.

Each broken line is reported with its number; the good ones are written in one transaction
(all or none), with a progress bar. A market already in the database (same name and commune)
is updated; one from `content/markets.yaml` keeps its YAML entry and only its model point
changes.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.content.model import Content
from bot.core.text import clean, fold
from bot.domain.schools.fields import Problem, find_commune
from bot.storage.db import Database

MAX_FILE_BYTES = 2_000_000
_HEADERS = {
    "name": {"name", "market", "ten", "ten cho", "cho"},
    "commune": {"commune", "xa", "phuong", "xa phuong", "ma xa"},
    "kind": {"kind", "type", "loai", "loai hinh"},
    "model_point": {"model point", "model_point", "diem mo hinh", "mo hinh"},
}
_KINDS = {
    "market": "market",
    "cho": "market",
    "supermarket": "supermarket",
    "sieu thi": "supermarket",
    "trade centre": "trade_centre",
    "trade_centre": "trade_centre",
    "trung tam thuong mai": "trade_centre",
}
_YES = {"yes", "y", "1", "co", "true", "x"}
_NO = {"no", "n", "0", "khong", "false", ""}


@dataclass(frozen=True)
class MarketRow:
    line: int
    name: str
    commune: str
    kind: str
    model_point: bool | None


def _key(header: str) -> str:
    return re.sub(r"[_\s]+", " ", fold(header)).strip()


def parse(data: bytes, content: Content) -> tuple[list[MarketRow], list[str]]:
    """The good rows, and one message per broken line (or for the whole file)."""
    if len(data) > MAX_FILE_BYTES:
        return [], [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["the file is not UTF-8 text"]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], ["the file is empty"]
    columns: dict[str, int] = {}
    for index, header in enumerate(rows[0]):
        for field, names in _HEADERS.items():
            if _key(header) in names:
                columns[field] = index
    if "name" not in columns or "commune" not in columns:
        return [], ["the header needs the columns name and commune (tên chợ, xã)"]
    good: list[MarketRow] = []
    problems: list[str] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        found = _row(line, cells, columns, content)
        if isinstance(found, str):
            problems.append(f"line {line}: {found}")
        else:
            good.append(found)
    return good, problems


def _row(
    line: int, cells: Sequence[str], columns: dict[str, int], content: Content
) -> MarketRow | str:
    def cell(field: str) -> str:
        index = columns.get(field)
        return clean(cells[index]) if index is not None and index < len(cells) else ""

    name = cell("name")
    if not 3 <= len(name) <= 80:
        return "the name must have 3 to 80 characters"
    commune = find_commune(content.communes, cell("commune"))
    if isinstance(commune, Problem):
        return f"commune: {commune.english()}"
    kind = _KINDS.get(_key(cell("kind")) or "market")
    if kind is None:
        return f"unknown kind “{cell('kind')[:40]}” (market, supermarket, trade_centre)"
    flag = fold(cell("model_point"))
    if flag not in _YES | _NO:
        return f"model_point must be yes or no, not “{cell('model_point')[:20]}”"
    model = (flag in _YES) if cell("model_point") else None
    return MarketRow(line, name, commune.code, kind, model)


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done:>{len(str(total))}}/{total} markets"


async def import_file(db: Database, content: Content, path: Path, now: str, err: TextIO) -> int:
    """0 all imported, 1 some lines broken, 2 the file could not be read."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror}", file=err)
        return 2
    rows, problems = parse(data, content)
    for problem in problems:
        print(f"{path}: {problem}", file=err)
    if not rows and problems and not problems[0].startswith("line "):
        return 2
    added = updated = 0
    # The same market as a YAML one: the same name (accents aside) in the same commune.
    yaml_ids = {(fold(m.name.vi), m.commune): m.id for m in content.markets}
    async with db.transaction() as tx:
        for done, row in enumerate(rows, 1):
            market_id = yaml_ids.get((fold(row.name), row.commune))
            if market_id is None:
                market_id = re.sub(r"[^a-z0-9]+", "-", fold(f"{row.name} {row.commune}"))
                market_id = market_id.strip("-")[:40]
                exists = await tx.fetch_value(
                    "SELECT count(*) FROM markets WHERE id = ?", (market_id,)
                )
                await tx.execute(
                    """INSERT INTO markets (id, name, commune_code, kind, created_at)
                       VALUES (?, ?, ?, ?, ?)
                       ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                           kind = excluded.kind""",
                    (market_id, row.name, row.commune, row.kind, now),
                )
                added, updated = added + (not exists), updated + bool(exists)
            else:
                updated += 1
            if row.model_point is not None:
                await tx.execute(
                    """INSERT INTO model_points (market_id, model_point, marked_at)
                       VALUES (?, ?, ?)
                       ON CONFLICT (market_id) DO UPDATE SET
                           model_point = excluded.model_point, marked_at = excluded.marked_at""",
                    (market_id, int(row.model_point), now),
                )
            err.write("\r" + progress_bar(done, len(rows)))
            err.flush()
    if rows:
        err.write("\n")
    print(f"{path}: {added} markets added, {updated} updated, {len(problems)} lines not imported")
    return 1 if problems else 0
