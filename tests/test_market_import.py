"""Markets from a CSV file: good lines in one transaction, broken ones reported by number."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import App
from bot.market_import import import_file
from bot.markets import all_markets
from tests.harness import Chat, onboard

NOW = "2026-11-30T01:00:00+00:00"
CSV = """\
Tên chợ,Xã,Loại,Điểm mô hình
Chợ Na Sầm,06172,chợ,có
Siêu thị Đông Kinh,Đông Kinh,siêu thị,
Chợ Ba Xa,Tân Đoàn,chợ,không
X,06172,chợ,có
Chợ Lạ,nowhere-at-all,chợ,
Chợ Mới,06172,bazaar,
"""


async def run(app: App, tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "markets.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    code = await import_file(app.deps.db, app.deps.content, path, NOW, err)
    return code, err.getvalue()


async def test_good_lines_are_imported_and_broken_ones_reported(app: App, tmp_path: Path) -> None:
    code, err = await run(app, tmp_path, CSV)
    assert code == 1
    assert "markets.csv: line 5: the name must have 3 to 80 characters" in err
    assert "line 6: commune: no commune is called “nowhere-at-all”" in err
    assert "line 7: unknown kind “bazaar”" in err
    assert "[##############################] 3/3 markets" in err
    async with app.deps.db.transaction() as tx:
        markets = {m.id: m for m in await all_markets(tx, app.deps.content)}
    assert markets["cho-na-sam-06172"].model_point is True
    assert markets["sieu-thi-dong-kinh-05977"].kind == "supermarket"
    assert markets["ba-xa"].model_point is False  # the YAML market: only its mark changed
    assert len(markets) == 6
    again, _err = await run(app, tmp_path, CSV)
    async with app.deps.db.transaction() as tx:
        assert len(await all_markets(tx, app.deps.content)) == 6  # updated, not doubled
    assert again == 1
    alice = Chat(app, "alice")
    await onboard(alice)
    await alice.send("/market na sam")
    assert "A registered model point against nylon bags." in alice.text


async def test_a_file_without_the_columns_is_refused_whole(app: App, tmp_path: Path) -> None:
    code, err = await run(app, tmp_path, "foo,bar\n1,2\n")
    assert code == 2 and "the header needs the columns name and commune" in err
    row = await app.deps.db.fetch_one("SELECT count(*) FROM markets")
    assert row is not None and row[0] == 0
