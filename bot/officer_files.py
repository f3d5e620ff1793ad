"""The officers' files written to disk by the command line: `python -m bot export` (the
workbook) and `python -m bot annual-report` (the workbook and the DOCX draft), for the whole
province, in Vietnamese."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from bot.core.clock import local_date
from bot.core.deps import Deps
from bot.stats.annual import report_docx
from bot.stats.export import gather, workbook
from bot.stats.overview import Period

ISSUER = "(Cơ quan ban hành)"
PARENT = "UBND tỉnh Lạng Sơn"


async def write_files(deps: Deps, year: int, out: Path, kind: str) -> list[Path]:
    """`kind` 'export': `out` is the .xlsx file; 'annual-report': `out` is a folder."""
    files = await build_files(deps, year, kind)
    return await asyncio.to_thread(_save, out, files, kind)


async def build_files(deps: Deps, year: int, kind: str) -> dict[str, bytes]:
    """File name -> content: the workbook, and for the annual report the DOCX draft."""
    today = local_date(deps.clock.now())
    _ = deps.i18n.translator("vi")
    async with deps.db.transaction() as tx:
        figures = await gather(deps.content, tx, Period(year), None, today)
    files = {f"so-lieu-{year}.xlsx": workbook(deps.content, _, figures)}
    if kind == "annual-report":
        files[f"bao-cao-{year}.docx"] = report_docx(
            deps.content,
            _,
            figures,
            issuer=ISSUER,
            parent=PARENT,
            place_day=min(today, date(year, 12, 31)),
            area_name=_("the whole province"),
        )
    return files


def _save(out: Path, files: dict[str, bytes], kind: str) -> list[Path]:
    if kind == "export":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(next(iter(files.values())))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written
