"""The composition root: the one place that lists the features and wires the parts."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import steps
from bot.content.answers import load_answer_rules
from bot.content.loader import load_content
from bot.content.model import Content
from bot.content.quizzes import QuizBanks, load_quizzes
from bot.core.clock import Clock, SystemClock, iso
from bot.core.deps import Deps
from bot.core.door import Door
from bot.core.engine import Engine
from bot.core.i18n import I18n
from bot.core.inbox import Inbox, InboxLimits
from bot.core.interpret import Interpreter
from bot.core.outbox import Outbox
from bot.core.router import Router
from bot.core.sending import Sender
from bot.core.shared_inbox import SharedInbox
from bot.features import (
    activities,
    approvals,
    class_join,
    classes,
    classstats,
    contest_results,
    contests,
    exports,
    help,
    invites,
    market_page,
    moderation,
    myclasses,
    onboarding,
    plan,
    pledge_checkins,
    pledges,
    privacy,
    quiz,
    report_send,
    reports,
    schools,
    settings,
    sources,
    stats,
    teachers,
    tips,
)
from bot.settings import Settings
from bot.storage.db import open_database
from bot.storage.migrations import migrate

# Adding a feature: write its module with `register(router)`, then list it here.
FEATURES = (
    help,
    onboarding,
    invites,
    tips,
    settings,
    privacy,
    quiz,
    sources,
    schools,
    teachers,
    approvals,
    classes,
    myclasses,
    class_join,
    contests,
    contest_results,
    classstats,
    pledges,
    pledge_checkins,
    reports,
    report_send,
    moderation,
    market_page,
    stats,
    plan,
    activities,
    exports,
)


def build_router() -> Router:
    router = Router()
    steps.register(router)  # the reusable steps every feature may call
    for feature in FEATURES:
        feature.register(router)
    return router


@dataclass(repr=False)
class App:
    deps: Deps
    router: Router
    engine: Engine
    senders: dict[str, Sender] = field(default_factory=dict)
    inbox_limits: InboxLimits = field(default_factory=InboxLimits)
    inbox: Inbox = field(init=False)
    door: Door = field(init=False)

    def __post_init__(self) -> None:
        # On PostgreSQL several workers may serve side by side: a person's updates are
        # handled by whichever holds their lease. SQLite has one process: in-memory queues.
        shared = self.deps.db.dialect.name == "postgresql"
        kind = SharedInbox if shared else Inbox
        self.inbox = kind(self.deps.db, self.deps.clock, self.inbox_limits)
        self.door = Door(
            self.engine, self.inbox, self.deps.db, self.deps.i18n, self.router, self.senders
        )

    def __repr__(self) -> str:
        """Short: the generated one spelled out all the content (470 KB, 14 ms), and asyncio
        builds the repr of a task's result, e.g. in the tests' event loop runner."""
        return f"App(db={self.deps.db.path!r})"

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.deps, self.router, self.senders)

    async def close(self) -> None:
        await self.inbox.stop(within=2.0)  # what is not finished stays stored
        await self.deps.db.close()


@dataclass(frozen=True)
class Resources:
    """What the app reads from files at start-up, apart from the database."""

    content: Content
    quizzes: QuizBanks
    interpreter: Interpreter
    i18n: I18n


def load_resources(settings: Settings) -> Resources:
    """Loads content, quiz banks, answer rules and catalogs (failing fast on errors)."""
    return Resources(
        load_content(settings.content_dir),
        load_quizzes(settings.quiz_dir),
        Interpreter(load_answer_rules(settings.content_dir / "answers.yaml")),
        I18n(),
    )


async def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    senders: Mapping[str, Sender] | None = None,
    resources: Resources | None = None,
) -> App:
    """Loads content (failing fast on errors), opens and migrates the database.

    `resources` already loaded from the settings' folders may be given instead (the tests
    load them once per session)."""
    clock = clock or SystemClock()
    loaded = resources or load_resources(settings)
    db = await open_database(settings)
    try:
        await migrate(db, iso(clock.now()))
    except BaseException:
        await db.close()
        raise
    deps = Deps(
        settings,
        db,
        loaded.content,
        loaded.i18n,
        clock,
        rng or random.Random(),
        loaded.quizzes,
        loaded.interpreter,
    )
    router = build_router()
    return App(deps, router, Engine(deps, router), dict(senders or {}))
