"""What a handler sees and does: the person, their state, and the replies it collects.

A context lives for one incoming message and one database transaction. Handlers add replies
with `say`/`ask`; the engine sends them only after the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.auth import Role
from bot.core.choices import checked
from bot.core.clock import iso
from bot.core.deps import Deps
from bot.core.messages import Attachment, Choice, Incoming, Reply
from bot.core.router import Router
from bot.storage import users
from bot.storage.conversations import Conversation
from bot.storage.db import Transaction
from bot.storage.users import User


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
        self._ = deps.i18n.translator(self.locale)

    @property
    def locale(self) -> str:
        """The person's language: saved once they agreed, remembered in the conversation before."""
        return self.user.locale or str(self.convo.data.get("locale") or "") or "vi"

    @property
    def now_iso(self) -> str:
        return iso(self.now)

    def set_locale(self, locale: str) -> None:
        self.convo.data["locale"] = locale
        self._ = self.deps.i18n.translator(locale)

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
    ) -> None:
        """Asks a question; its choices become the only ones this person can pick now."""
        offered = [checked(choice) for choice in choices]
        self.replies.append(Reply(text=text, choices=tuple(offered), ask_location=ask_location))
        self.convo.choices = offered
        if state is not None:
            self.convo.state = state

    def goto(self, state: str, **data: Any) -> None:
        self.convo.state = state
        self.convo.data.update(data)

    def finish(self) -> None:
        """Leaves the current flow; keeps only the pre-consent language choice."""
        locale = self.convo.data.get("locale")
        self.convo.state = ""
        self.convo.data = {"locale": locale} if locale else {}
        self.convo.choices = []

    async def reprompt(self) -> None:
        """Asks the pending question again (after an answer it could not use)."""
        state = self.router.states.get(self.convo.state)
        if state is not None:
            await state.prompt(self)

    async def update_user(self, **fields: object) -> User:
        self.user = await users.update(self.tx, self.user.id, **fields)
        if "locale" in fields:
            self._ = self.deps.i18n.translator(self.locale)
        return self.user
