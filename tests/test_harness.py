"""The test harness's shortcuts keep tests apart: what is shared per process is read-only or
copied, a restart keeps its database, and a fake server's stop waits for its requests."""

from __future__ import annotations

import asyncio
import shutil
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.settings import Settings
from bot.storage.migrations import MIGRATIONS
from tests.builders import make_officer
from tests.conftest import AppFactory
from tests.harness import Chat, onboard
from tests.harness_app import built_once, open_app, resources
from tests.loopback import LoopbackServer
from tests.pg import fresh_schema

CLOCK = datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ)


async def test_apps_share_the_content_but_each_has_its_own_quiz_banks(tmp_path: Path) -> None:
    first = await open_app(Settings(db_path=str(tmp_path / "a.db")), clock=FakeClock(CLOCK))
    second = await open_app(Settings(db_path=str(tmp_path / "b.db")), clock=FakeClock(CLOCK))
    try:
        assert first.deps.content is second.deps.content
        assert first.deps.quizzes is not second.deps.quizzes
        question = first.deps.quizzes.bank("primary")[0]
        del first.deps.quizzes._by_id[question.id]
        assert first.deps.quizzes.question(question.id) is None
        assert second.deps.quizzes.question(question.id) == question
    finally:
        await first.close()
        await second.close()


def test_a_changed_content_file_is_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(Settings().content_dir, folder)
    settings = Settings(content_dir=folder)
    before = resources(settings).content
    assert resources(settings).content is before
    tips = folder / "tips.yaml"
    tips.write_text(tips.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert resources(settings).content is not before


async def test_a_new_database_starts_migrated_and_a_restart_keeps_its_own(
    make_app: AppFactory,
) -> None:
    app = await make_app()
    applied = await app.deps.db.fetch_all("SELECT version FROM schema_migrations ORDER BY 1")
    assert [r[0] for r in applied] == [m.version for m in MIGRATIONS]
    await onboard(Chat(app, "lan"))
    await app.close()
    again = await make_app()  # the same file: not replaced by a fresh copy
    assert await Chat(again, "lan").row() is not None


async def test_a_database_built_once_is_copied_for_each_test(
    settings: Settings, make_app: AppFactory, tmp_path: Path
) -> None:
    built: list[str] = []

    async def build(built_app: App) -> None:
        built.append("built")
        await make_officer(built_app, "officer")

    app = await built_once(f"harness-test-{tmp_path.name}", settings, make_app, build)
    assert built == ["built"]
    assert await Chat(app, "officer").row() is not None
    await Chat(app, "officer").send("/cancel")  # changes the copy only
    async with AsyncExitStack() as stack:
        if settings.database_url:  # another schema, new: migrated, then filled
            other = Settings(
                database_url=await stack.enter_async_context(fresh_schema()),
                admins=settings.admins,
            )
        else:
            other = Settings(
                db_path=str(tmp_path / "other" / "bot.sqlite3"), admins=settings.admins
            )

        async def other_app() -> App:
            return await open_app(other, clock=FakeClock(CLOCK))

        copy = await built_once(f"harness-test-{tmp_path.name}", other, other_app, build)
        try:
            assert built == ["built"]  # not built again
            officer = await Chat(copy, "officer").row()
            assert officer is not None
            await Chat(copy, "newcomer").send("/start")  # the numbering goes on after the copy
            newcomer = await Chat(copy, "newcomer").row()
            assert newcomer is not None and newcomer["id"] > officer["id"]
        finally:
            await copy.close()


async def test_a_fake_server_stops_once_its_requests_are_answered() -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(_request: Request) -> PlainTextResponse:
        started.set()
        await release.wait()
        return PlainTextResponse("done")

    server = LoopbackServer(Starlette(routes=[Route("/slow", slow)]), log_config=None)
    server.start()
    async with httpx.AsyncClient(base_url=server.url) as client:
        request = asyncio.create_task(client.get("/slow"))
        await started.wait()
        stopping = asyncio.create_task(server.stop())
        await asyncio.sleep(0)
        assert not stopping.done()  # the request in flight is still being answered
        release.set()
        assert (await request).text == "done"
        await stopping
