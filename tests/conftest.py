from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx._config as httpx_config
import httpx._transports.default as httpx_transport
import pytest

import bot.app
from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.settings import Settings
from tests.fake_zalo import FakeZalo
from tests.harness import ADMIN as ADMIN  # re-exported: tests import it from here too
from tests.harness import Chat, RecordingSender
from tests.harness_app import AppFactory as AppFactory
from tests.harness_app import open_app, resources
from tests.loopback import serve
from tests.pg import backends, reused_schema
from tests.zalo_harness import Zalo, make_zalo

# Files that take tens of seconds (real processes killed and restarted): started first, one
# on each core, so the rest of the suite fills the other cores around them instead of one
# of them starting last and running alone (pytest-xdist hands out files in collection order).
SLOW_FILES = ("test_kill.py", "test_kill_sigterm.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in SLOW_FILES)  # a stable sort


@pytest.fixture(autouse=True, scope="session")
def one_tls_context() -> Iterator[None]:
    """Each httpx client builds a TLS context from the CA bundle (about 25 ms) though the
    tests only speak plain HTTP to loopback: the suite's clients share one."""
    shared = functools.cache(httpx_config.create_ssl_context)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx_transport, "create_ssl_context", shared)
        yield


@pytest.fixture(autouse=True, scope="session")
def resources_read_once() -> Iterator[None]:
    """Apps that tests start through `bot.runner.serve` or the command line in their own
    process read the content, quiz banks, answer rules and catalogs once per process too, as
    `open_app` does (tests/harness_app.py): about 0.15 s of CPU an app otherwise. Processes the
    tests start (`python -m bot ...`) read everything themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "load_resources", resources)
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ))


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    """`sqlite`, and `pg` too when BOT_TEST_PG is set (see tests/pg.py)."""
    return str(request.param)


@pytest.fixture
async def database_url(backend: str) -> AsyncIterator[str | None]:
    """None for SQLite; for PostgreSQL, a schema of the test's own, migrated or empty, whose
    tables are empty (see tests/pg.py)."""
    if backend == "sqlite":
        yield None
        return
    async with reused_schema() as url:
        yield url


@pytest.fixture
def photo_store() -> str:
    """BOT_PHOTO_STORE: the default choice. Tests of report photos run with each store by
    parametrising it (`EACH_PHOTO_STORE` in tests/reporting.py)."""
    return "auto"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None, photo_store: str) -> Settings:
    return Settings(
        db_path=str(tmp_path / "bot.sqlite3"),
        admins=frozenset({f"shell:{ADMIN}"}),
        database_url=database_url,
        photo_store=photo_store,
    )


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
async def make_app(
    settings: Settings, clock: FakeClock, sender: RecordingSender
) -> AsyncIterator[AppFactory]:
    """Builds apps on the same database file (a second call is a restart)."""
    opened: list[App] = []

    async def factory() -> App:
        app = await open_app(settings, clock=clock, rng=random.Random(7), senders={"shell": sender})
        opened.append(app)
        return app

    yield factory
    for app in opened:
        await app.close()


@pytest.fixture
async def app(make_app: AppFactory) -> App:
    return await make_app()


@pytest.fixture
def alice(app: App) -> Chat:
    return Chat(app, "alice")


@pytest.fixture
async def zalo(app: App) -> AsyncIterator[Zalo]:
    fake = FakeZalo()
    async with serve(fake.app()) as url:
        z = await make_zalo(app, fake, url)
        yield z
        await z.channel.api.close()
        await z.channel.downloads.aclose()
