"""Commands and conversation states, registered by the features.

A feature module exposes `register(router)`; the composition root lists the features. Every
command declares the roles that may use it: the engine checks that one table for every message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.auth import Role, allowed

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.core.deps import Deps
    from bot.core.messages import Reply
    from bot.storage.db import Transaction
    from bot.storage.deliveries import Delivery

Handler = Callable[["Context"], Awaitable[None]]
ReturnHandler = Callable[["Context", Any], Awaitable[None]]
Redeemer = Callable[["Context", str], Awaitable[bool]]
Job = Callable[["Deps"], Awaitable[int]]
# What a renderer reads, it reads in the delivery's claim transaction. Slow work that needs no
# database (drawing a chart) is returned as `Later`, run once that transaction committed, so
# the database is not held meanwhile.
Later = Callable[[], Awaitable["list[Reply]"]]
Renderer = Callable[["Deps", "Transaction", "Delivery"], Awaitable["list[Reply] | Later | None"]]


def N_(message: str) -> str:
    """Marks a message for extraction without translating it yet (help texts)."""
    return message


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    roles: frozenset[Role]
    help: str = ""  # an N_() message id; empty hides the command from /help
    keeps_state: bool = False  # answer, then ask the pending question again
    private_only: bool = True  # refused in group chats
    order: int = 50  # position in /help
    # Roles that may not use the command but are told why by its handler rather than refused
    # (a teacher still waiting for approval and /newclass); never in their menu or /help.
    explained_to: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class MenuItem:
    """An action of the main menu: the command it runs and its label (an N_() message id)."""

    command: str
    label: str
    order: int = 50


@dataclass(frozen=True)
class State:
    """One question of a conversation: how to ask it and how to take each kind of answer."""

    name: str
    prompt: Handler
    on_text: Handler | None = None
    on_choice: Handler | None = None
    on_photo: Handler | None = None
    on_location: Handler | None = None
    on_document: Handler | None = None
    on_return: ReturnHandler | None = None  # takes the result of a step this state called
    # A state that reads free text takes only exact option words, unless it says that parts of
    # words and typos may pick an option too (its free text cannot be mistaken for one).
    loose_choices: bool = False


@dataclass(frozen=True)
class CodeKind:
    """A kind of code a person may bring (`/start CODE`): an invite, a class's join code.

    `redeem` says why when the code cannot be used and returns whether it was."""

    name: str
    matches: Callable[[str], bool]
    redeem: Redeemer


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.states: dict[str, State] = {}
        self.jobs: list[Job] = []
        self.renderers: dict[str, Renderer] = {}
        self.keyword_commands: dict[str, str] = {}
        self.menu_items: list[MenuItem] = []
        self.code_kinds: list[CodeKind] = []
        self.idle_handlers: dict[str, tuple[Handler, frozenset[Role]]] = {}

    def add_command(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command /{command.name} registered twice")
        self.commands[command.name] = command

    def add_state(self, state: State) -> None:
        if state.name in self.states:
            raise ValueError(f"state {state.name!r} registered twice")
        self.states[state.name] = state

    def add_code_kind(self, kind: CodeKind) -> None:
        """A kind of code that `/start CODE` and `/redeem CODE` take; the first that matches
        a code redeems it."""
        self.code_kinds.append(kind)

    def code_kind(self, code: str) -> CodeKind | None:
        return next((kind for kind in self.code_kinds if kind.matches(code)), None)

    def add_keyword(self, keyword: str, command: str) -> None:
        """Runs `command` for a word of `content/answers.yaml`'s `keywords` table whose name
        differs from the command's ('greet' -> 'hello'); by default the names are the same."""
        self.keyword_commands[keyword] = command

    def add_idle_handler(self, kind: str, handler: Handler, roles: frozenset[Role]) -> None:
        """What a photo or location (a message `kind`) does when no step is waiting for one,
        for these roles (a photo outside any step offers a market report)."""
        if kind in self.idle_handlers:
            raise ValueError(f"idle handler for {kind!r} registered twice")
        self.idle_handlers[kind] = (handler, roles)

    def add_menu_item(self, item: MenuItem) -> None:
        self.menu_items.append(item)

    def menu(self, role: Role) -> list[MenuItem]:
        """The main menu for a role: the actions whose command this role may use."""
        found = [
            item
            for item in self.menu_items
            if item.command in self.commands and allowed(role, self.commands[item.command].roles)
        ]
        return sorted(found, key=lambda item: (item.order, item.command))

    def add_job(self, job: Job) -> None:
        """A scheduled job: it enqueues deliveries that are due and returns how many."""
        self.jobs.append(job)

    def add_renderer(self, kind: str, renderer: Renderer) -> None:
        """How a delivery of this kind becomes replies (None: nothing to send any more)."""
        self.renderers[kind] = renderer

    def visible_commands(self, role: Role) -> list[Command]:
        found = [c for c in self.commands.values() if c.help and allowed(role, c.roles)]
        return sorted(found, key=lambda c: (c.order, c.name))
