"""The engine: who is this, what state are they in, which feature handles the message.

`Engine.handle` is the one error boundary. Each message is handled in one database
transaction; replies are returned only after it committed, so the bot never tells a person
that something was saved when it was not. Anything unexpected rolls the transaction back,
is logged with context, and the person gets a short apology.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.core import choices as choice_rules
from bot.core import reply_codec
from bot.core.auth import Role, allowed, role_of
from bot.core.clock import iso
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import pick_locale
from bot.core.interpret import Verdict
from bot.core.messages import Choice, Incoming, Kind, Reply
from bot.core.router import Router
from bot.core.text import MAX_TEXT, clean
from bot.storage import answers, conversations, deliveries, inbox, person, photos

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """The replies, and their row in the answers table when they were stored (else None)."""

    id: int | None
    replies: list[Reply]


# Words that make small talk ("cảm ơn"): inside a question they are not taken as a command.
CHAT_WORDS = frozenset({"greet", "thanks"})


class Engine:
    def __init__(self, deps: Deps, router: Router) -> None:
        self.deps = deps
        self.router = router

    async def handle(self, incoming: Incoming, *, inbox_id: int | None = None) -> list[Reply]:
        """The replies to one message. `inbox_id`, the stored update it came from, is marked
        done in the same transaction, so a crash never handles it twice."""
        return (await self.answer(incoming, inbox_id=inbox_id)).replies

    async def answer(
        self, incoming: Incoming, *, inbox_id: int | None = None, address: str | None = None
    ) -> Answered:
        """As `handle`; with an `address` (where the channel sends it), the replies are also
        written to the answers table in the same transaction: a crash after the commit
        delays the answer, never drops it."""
        incoming = await self._photo_cleaned(incoming)
        try:
            async with self.deps.db.transaction() as tx:
                now = self.deps.clock.now()
                stamp = iso(now)
                # A group's chat id is never stored: daily tips go to the private chat.
                chat_id = incoming.chat_id if incoming.is_private else incoming.user_id
                # One statement: the person, their conversation and their teacher status.
                found = await person.arrive(tx, incoming.channel, incoming.user_id, chat_id, stamp)
                user, convo = found.user, found.convo
                admins = self.deps.settings.admins
                role = role_of(user, admins, approved_teacher=found.approved_teacher)
                ctx = Context(self.deps, self.router, tx, incoming, user, convo, role)
                if not user.locale and "locale" not in convo.data:
                    ctx.set_locale(pick_locale(incoming.language_hint))
                await self._dispatch(ctx)
                if not ctx.erased:
                    await conversations.save(tx, user.id, ctx.convo, ctx.now_iso)
                if inbox_id is not None:
                    await inbox.finish_new(tx, inbox_id)  # FinishedElsewhere, at the latest
                row = None
                if address is not None and ctx.replies:
                    stored = reply_codec.encode(ctx.replies)
                    row = await answers.add(
                        tx,
                        incoming.channel,
                        address,
                        stored,
                        stamp,
                        iso(now + answers.SENDING_LEASE),
                    )
            return Answered(None if row is None else int(row.value()), ctx.replies)
        except inbox.FinishedElsewhere:
            # Another worker handled this update after this one's lease ran out: what this
            # one did is rolled back, and it says nothing (the other one answered).
            log.warning("update %d was handled by another worker; nothing sent", inbox_id)
            return Answered(None, [])
        except Exception:
            log.exception("failed to handle a %s message on %s", incoming.kind, incoming.channel)
            _ = self.deps.i18n.translator(await self._locale_after_failure(incoming))
            return Answered(
                None, [Reply(_("Sorry, something went wrong on our side. Please try again."))]
            )

    async def _photo_cleaned(self, incoming: Incoming) -> Incoming:
        """A photo is checked and re-encoded (0.2-0.5 s) before the transaction, which would
        otherwise hold the database's one writer all that time."""
        photo = incoming.photo
        if photo is None or photo.cleaned is not None:
            return incoming
        limit = self.deps.settings.report_photo_max_bytes
        cleaned = await photos.clean_ahead(photo.data, limit)
        return replace(incoming, photo=replace(photo, cleaned=cleaned))

    async def _locale_after_failure(self, incoming: Incoming) -> str:
        """The person's saved language if it can still be read, else the platform's hint."""
        try:
            row = await self.deps.db.fetch_one(
                "SELECT locale FROM users WHERE channel = ? AND channel_user_id = ?",
                (incoming.channel, incoming.user_id),
            )
        except Exception:
            row = None
        if row is not None and row[0]:
            return str(row[0])
        return pick_locale(incoming.language_hint)

    async def _dispatch(self, ctx: Context) -> None:
        kind = ctx.incoming.kind
        if kind in (Kind.BLOCKED, Kind.UNBLOCKED):
            await self._membership(ctx, blocked=kind is Kind.BLOCKED)
            return
        if not ctx.incoming.is_private and kind is not Kind.COMMAND:
            return  # in groups the bot speaks only when addressed by a command
        offered, ctx.convo.choices = ctx.convo.choices, []
        if kind is Kind.COMMAND:
            await self._command(ctx, ctx.incoming.command)
        elif kind is Kind.CHOICE:
            await self._choice(ctx, ctx.incoming.payload, offered)
        elif kind is Kind.TEXT:
            await self._text(ctx, offered)
        else:
            await self._media(ctx, kind)

    async def _command(self, ctx: Context, raw_name: str) -> None:
        _ = ctx._
        # Invisible and control characters never reach a lookup or an echo.
        name = "".join(c for c in clean(raw_name) if c.isalnum() or c in "_-").lower()[:40]
        command = self.router.commands.get(name)
        if command is None:
            ctx.say(
                _(
                    "I don't know the command /{name}. Send /help to see what I can do.",
                    name=name or "?",
                )
            )
            await ctx.reprompt()
            return
        if command.private_only and not ctx.incoming.is_private:
            ctx.say(_("Please write to me in a private chat for /{name}.", name=name))
            return
        if not allowed(ctx.role, command.roles) and ctx.role not in command.explained_to:
            ctx.say(self._refusal(ctx, name))
            await ctx.reprompt()
            return
        pending = ctx.convo.state
        if not command.keeps_state:
            ctx.finish()
        await command.handler(ctx)
        if command.keeps_state and pending and ctx.convo.state == pending and not ctx.convo.choices:
            await ctx.reprompt()

    def _refusal(self, ctx: Context, name: str) -> str:
        _ = ctx._
        if ctx.role is Role.GUEST:
            return _(
                "Please send /start and finish the first steps before using /{name}.", name=name
            )
        return _("Sorry, /{name} is not available to you.", name=name)

    async def _choice(self, ctx: Context, payload: str, offered: list[Choice]) -> None:
        command = choice_rules.COMMAND.parse(payload)
        if command is not None:
            # A menu button is as good as typing its command, however old: the command
            # still goes through the authorisation check.
            await self._command(ctx, command[0])
            return
        if not choice_rules.is_offered(payload, offered):
            ctx.say(ctx._("That option has expired. Here is where we are now."))
            await ctx.reprompt()
            return
        state = self.router.states.get(ctx.convo.state)
        if state is None or state.on_choice is None:
            ctx.say(ctx._("That option has expired. Here is where we are now."))
            return
        ctx.payload = payload
        await state.on_choice(ctx)

    async def _text(self, ctx: Context, offered: list[Choice]) -> None:
        _ = ctx._
        text = clean(ctx.incoming.text)
        if not text:
            ctx.say(_("Your message was empty. Send /help to see what I can do."))
            await ctx.reprompt()
            return
        if len(text) > MAX_TEXT:
            ctx.say(
                _(
                    "That message is too long for me ({count} characters). "
                    "Please keep it under {limit}.",
                    count=ctx._.number(len(text)),
                    limit=ctx._.number(MAX_TEXT),
                )
            )
            await ctx.reprompt()
            return
        state = self.router.states.get(ctx.convo.state)
        menu = bool(offered) and all(choice_rules.COMMAND.is_kind(c.payload) for c in offered)
        if menu and state is None:
            # The menu is an offer, not a question: a word like "chào" or "mẹo" is taken as
            # said, before any near spelling of an item ("chao" is one letter from "chợ").
            said = self.deps.interpreter.keyword(text, fuzzy=False)
            if said is not None:
                await self._command(ctx, self.router.keyword_commands.get(said, said))
                return
        if offered:
            # A step that also reads free text (a commune's name) takes only exact picks.
            loose = state is None or state.on_text is None or state.loose_choices
            found = self.deps.interpreter.pick(
                text, offered, lettered=ctx.convo.lettered, loose=loose
            )
            if found.verdict is Verdict.PICKED:
                await self._choice(ctx, found.payload, offered)
                return
            if found.verdict is Verdict.AMBIGUOUS:
                self._ask_which(ctx, offered, found.payloads)
                return
        if offered and choice_rules.is_number(text):
            self._not_understood(ctx, text, offered)
            return
        if state is not None and state.on_text is not None:
            ctx.text = text
            await state.on_text(ctx)
            return
        # The menu is an offer, not a question: "cảm ơn" or "chào" there is small talk.
        asking = state is not None or (bool(offered) and not menu)
        keyword = self.deps.interpreter.keyword(text, fuzzy=not asking)
        if keyword is not None and not (asking and keyword in CHAT_WORDS):
            await self._command(ctx, self.router.keyword_commands.get(keyword, keyword))
            return
        if offered:
            self._not_understood(ctx, text, offered)
            return
        if state is not None:
            ctx.say(_("Sorry, I didn't understand “{text}”.", text=text[:60]))
            await ctx.reprompt()
            return
        ctx.say(
            _(
                "Sorry, I didn't understand “{text}”. Here is what I can do; you can type "
                "a number or a few words.",
                text=text[:60],
            )
        )
        await self._command(ctx, "menu")

    def _ask_which(self, ctx: Context, offered: list[Choice], payloads: tuple[str, ...]) -> None:
        """Two options (or more) fit the answer: ask which, showing only those."""
        matching = [c for c in offered if c.payload in payloads]
        question = ctx.convo.question
        ctx.ask(ctx._("Which one do you mean?"), matching, lettered=ctx.convo.lettered)
        ctx.convo.question = question
        # The numbers and letters shown (1, 2 or A, B) are those options; words still pick any.
        ctx.convo.choices = matching + [c for c in offered if c.payload not in payloads]

    def _not_understood(self, ctx: Context, text: str, offered: list[Choice]) -> None:
        """One line, then the question in brief; from the second miss on, an example too."""
        _ = ctx._
        misses = ctx.convo.misses + 1
        if choice_rules.is_number(text):
            line = _("Please answer with a number from 1 to {count}.", count=len(offered))
        else:
            line = _("Sorry, I didn't understand “{text}”.", text=text[:60])
        question = shown = ctx.convo.question
        if misses >= 2:
            example = "A" if ctx.convo.lettered else "1"
            shown += "\n" + _(
                "For example, type {example} or “{words}”.", example=example, words=offered[0].label
            )
        ctx.say(line)
        ctx.ask(shown, offered, lettered=ctx.convo.lettered)
        ctx.convo.question = question
        ctx.convo.misses = misses

    async def _media(self, ctx: Context, kind: Kind) -> None:
        state = self.router.states.get(ctx.convo.state)
        handler = None
        if state is not None and kind is not Kind.UNSUPPORTED:
            handler = state.on_photo if kind is Kind.PHOTO else state.on_location
            if kind is Kind.DOCUMENT:
                handler = state.on_document
        if state is None and kind in self.router.idle_handlers:
            idle, roles = self.router.idle_handlers[kind]
            handler = idle if allowed(ctx.role, roles) else None
        if handler is not None:
            await handler(ctx)
            return
        if kind is Kind.UNSUPPORTED:
            ctx.say(ctx._("Sorry, I can only read text messages and photos."))
        elif kind is Kind.PHOTO:
            ctx.say(ctx._("Thanks, but I can't use a photo here."))
        elif kind is Kind.DOCUMENT:
            ctx.say(ctx._("Thanks, but I can't use a file here."))
        else:
            ctx.say(ctx._("Thanks, but I can't use a location here."))
        await ctx.reprompt()

    async def _membership(self, ctx: Context, *, blocked: bool) -> None:
        if blocked:
            await ctx.update_user(reachable=0, tip_time=None)
            await deliveries.drop_pending_for(ctx.tx, ctx.user.id, "recipient blocked the bot")
            return
        await ctx.update_user(reachable=1)
        if ctx.user.consented:
            ctx.say(ctx._("Welcome back! Send /subscribe to get daily tips again, or /help."))
