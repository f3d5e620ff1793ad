"""What a handler sees and does: the person, their state, and the replies it collects.

A context lives for one incoming message and one database transaction. Handlers add replies
with `say`/`ask`; the engine sends them only after the transaction has committed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.auth import Role, address_of, role_of
from bot.core.choices import COMMAND, checked
from bot.core.clock import iso
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Attachment, Choice, Incoming, Reply
from bot.core.render import letter
from bot.core.router import Router
from bot.storage import teachers, users
from bot.storage.conversations import Conversation
from bot.storage.db import Transaction
from bot.storage.users import User

CALLS = "_calls"  # the conversation's stack of steps called and the states to come back to
KEPT = ("locale",)  # what every frame sees: the language chosen before consent


class UnknownState(LookupError):
    """A step went to a state no feature registered: a bug, caught by the tests."""


class Context:
    def __init__(
        self,
        deps: Deps,
        router: Router,
        tx: Transaction,
        incoming: Incoming,
        user: User,
        convo: Conversation,
        role: Role,
    ) -> None:
        self.deps = deps
        self.router = router
        self.tx = tx
        self.incoming = incoming
        self.user = user
        self.convo = convo
        self.role = role
        self.now: datetime = deps.clock.now()
        self.replies: list[Reply] = []
        self.erased = False
        self.text = ""  # the cleaned text of a text message
        self.payload = ""  # the payload of the chosen option, once validated
        self._ = self._translator()

    @property
    def locale(self) -> str:
        """The person's language: saved once they agreed, remembered in the conversation before."""
        return self.user.locale or str(self.convo.data.get("locale") or "") or "vi"

    def _translator(self) -> Translator:
        address = address_of(self.user, private=self.incoming.is_private)
        return self.deps.i18n.translator(self.locale, address)

    @functools.cached_property
    def now_iso(self) -> str:
        """`now` as stored (read for most statements of a message: formatted once)."""
        return iso(self.now)

    def set_locale(self, locale: str) -> None:
        self.convo.data["locale"] = locale
        self._ = self._translator()

    def say(
        self,
        text: str,
        *,
        photo: Attachment | None = None,
        document: Attachment | None = None,
    ) -> None:
        self.replies.append(Reply(text=text, photo=photo, document=document))

    def ask(
        self,
        text: str,
        choices: Sequence[Choice] = (),
        *,
        state: str | None = None,
        ask_location: bool = False,
        brief: str | None = None,
        lettered: bool = False,
    ) -> None:
        """Asks a question; its choices become the only ones this person can pick now.

        `brief` is the question without its preamble, asked again after an answer that was not
        understood (the greeting is never repeated); `lettered` shows the options as A, B, C...
        """
        offered = [checked(choice) for choice in choices]
        shown = tuple(
            Choice(f"{letter(i)}. {c.label}", c.payload, c.intent) for i, c in enumerate(offered)
        )
        self.replies.append(
            Reply(
                text=text,
                choices=shown if lettered else tuple(offered),
                ask_location=ask_location,
                lettered=lettered,
            )
        )
        self.convo.choices = offered
        self.convo.question = brief or text
        self.convo.misses = 0
        self.convo.lettered = lettered
        if state is not None:
            self._check_state(state)
            self.convo.state = state

    def _check_state(self, state: str) -> None:
        if state and state not in self.router.states:
            raise UnknownState(state)

    def goto(self, state: str, **data: Any) -> None:
        self._check_state(state)
        self.convo.state = state
        self.convo.data.update(data)

    async def call(self, step: str, *, then: str, **args: Any) -> None:
        """Runs a reusable step (pick a commune, a date...) and comes back to `then`.

        The caller's data is kept aside while the step runs with only `args`; when the step
        calls `give_back(result)`, the caller's data returns and `then`'s `on_return` gets
        the result. Nothing is shared between the two through the conversation's keys.
        """
        self._check_state(step)
        target = self.router.states.get(then)
        if target is None or target.on_return is None:
            raise UnknownState(f"{then} (it takes no returned result)")
        stack = [*self.convo.data.pop(CALLS, []), {"then": then, "data": self.convo.data}]
        kept = {key: self.convo.data[key] for key in KEPT if key in self.convo.data}
        self.convo.data = {**kept, **args, CALLS: stack}
        self.convo.state = step
        await self.reprompt()

    async def give_back(self, result: Any) -> None:
        """Ends the step that was called and hands `result` to the state that called it."""
        stack = list(self.convo.data.get(CALLS, []))
        if not stack:
            raise UnknownState("give_back() outside a called step")
        frame = stack.pop()
        kept = {key: self.convo.data[key] for key in KEPT if key in self.convo.data}
        self.convo.data = {**dict(frame["data"]), **kept}
        if stack:
            self.convo.data[CALLS] = stack
        self.convo.state = str(frame["then"])
        self.convo.choices = []
        state = self.router.states[self.convo.state]
        assert state.on_return is not None
        await state.on_return(self, result)

    def finish(self) -> None:
        """Leaves the current flow; keeps only the pre-consent language choice."""
        locale = self.convo.data.get("locale")
        self.convo.state = ""
        self.convo.data = {"locale": locale} if locale else {}
        self.convo.choices = []

    def menu(self) -> list[Choice]:
        """The main menu's actions for this person's role, as choices."""
        return [
            Choice(self._(item.label), COMMAND.make(item.command))
            for item in self.router.menu(self.role)
        ]

    async def reprompt(self) -> None:
        """Asks the pending question again (after an answer it could not use)."""
        state = self.router.states.get(self.convo.state)
        if state is not None:
            await state.prompt(self)

    async def refresh_role(self) -> Role:
        """The role again, after a step changed it (onboarding finished, an invite redeemed)."""
        approved = await teachers.is_approved(self.tx, self.user.id)
        self.role = role_of(self.user, self.deps.settings.admins, approved_teacher=approved)
        return self.role

    async def update_user(self, **fields: object) -> User:
        self.user = await users.change(self.tx, self.user, **fields)
        if fields.keys() & {"locale", "address_form", "officer_agency"}:
            self._ = self._translator()
        return self.user
