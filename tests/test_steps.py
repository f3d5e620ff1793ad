"""Typed steps: the payload codec, and called steps that give a result back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.core.auth import Role
from bot.core.clock import iso
from bot.core.context import CALLS, Context, UnknownState
from bot.core.messages import Incoming
from bot.core.payloads import MAX_PAYLOAD_BYTES, Payload, PayloadError
from bot.core.router import Router, State
from bot.storage import users
from bot.storage.conversations import Conversation

BOT = Path(__file__).resolve().parent.parent / "bot"

# --- the payload codec ------------------------------------------------------------------------

PAIR = Payload("tpair", "attempt", "action")
BARE = Payload("tbare")


def test_make_and_parse_round_trip() -> None:
    payload = PAIR.make(42, "go")
    assert payload == "tpair:42:go"
    assert PAIR.parse(payload) == ("42", "go")
    assert PAIR.parse_int(payload, "attempt") == 42
    assert PAIR.parse_int(payload, "action") is None  # not a number
    assert PAIR.is_kind(payload)
    assert BARE.make() == "tbare" and BARE.parse("tbare") == ()


def test_parse_refuses_other_kinds_and_wrong_field_counts() -> None:
    assert PAIR.parse("tother:42:go") is None  # unknown prefix
    assert PAIR.parse("tpairs:42:go") is None  # a prefix that only starts the same
    assert PAIR.parse("tpair:42") is None  # too few fields
    assert PAIR.parse("tpair:42:go:now") is None  # too many
    assert PAIR.parse("tpair") is None
    assert BARE.parse("tbare:x") is None
    assert PAIR.parse_int("tpair:４２:go", "attempt") is None  # only ASCII digits count


def test_make_refuses_what_a_channel_could_not_carry_back() -> None:
    long = Payload("tlong", "text")
    exact = "x" * (MAX_PAYLOAD_BYTES - len("tlong:"))
    assert len(long.make(exact).encode()) == MAX_PAYLOAD_BYTES
    with pytest.raises(PayloadError):
        long.make(exact + "x")
    with pytest.raises(PayloadError):
        long.make("ă" * 30)  # 60 characters of text, but 66 bytes with the prefix
    with pytest.raises(PayloadError):
        PAIR.make(1)  # a field missing
    with pytest.raises(PayloadError):
        PAIR.make(1, "a:b")  # a field would split in two


def test_a_prefix_is_declared_once() -> None:
    assert Payload("tpair", "attempt", "action") == PAIR  # the same declaration again
    with pytest.raises(PayloadError):
        Payload("tpair", "other")
    with pytest.raises(PayloadError):
        Payload("t:bad")


# --- call and give_back -----------------------------------------------------------------------


class Probe:
    """Test states: `outer` calls `inner`, which may call `deeper` and hand its result on."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.seen_by_steps: list[dict[str, Any]] = []
        self.router = Router()
        self.router.add_state(State("t.outer", self.prompt, on_return=self.on_return))
        self.router.add_state(State("t.inner", self.prompt, on_text=self.inner_text))
        self.router.add_state(State("t.deeper", self.prompt, on_text=self.deeper_text))
        self.router.add_state(State("t.relay", self.prompt, on_return=self.relay))
        self.router.add_state(State("t.plain", self.prompt))

    async def prompt(self, ctx: Context) -> None:
        ctx.ask(f"at {ctx.convo.state}?")

    async def on_return(self, ctx: Context, result: Any) -> None:
        self.results.append((result, dict(ctx.convo.data), ctx.convo.state))

    async def inner_text(self, ctx: Context) -> None:
        self.seen_by_steps.append(dict(ctx.convo.data))
        if ctx.text == "deeper":
            await ctx.call("t.deeper", then="t.relay", level=2)
            return
        await ctx.give_back(ctx.text)

    async def deeper_text(self, ctx: Context) -> None:
        self.seen_by_steps.append(dict(ctx.convo.data))
        await ctx.give_back(len(ctx.text))

    async def relay(self, ctx: Context, result: Any) -> None:
        await ctx.give_back({"via": ctx.convo.data["level"], "result": result})


@pytest.fixture
async def probe_ctx(app: App) -> Iterator[tuple[Probe, Context]]:
    probe = Probe()
    async with app.deps.db.transaction() as tx:
        now = iso(app.deps.clock.now())
        user = await users.get_or_create(tx, "shell", "probe", "probe", now)
        incoming = Incoming.from_text("shell", "probe", "hello")
        ctx = Context(app.deps, probe.router, tx, incoming, user, Conversation(), Role.GUEST)
        yield probe, ctx


async def answer(ctx: Context, text: str) -> None:
    ctx.text = text
    state = ctx.router.states[ctx.convo.state]
    assert state.on_text is not None
    await state.on_text(ctx)


async def test_a_called_step_gives_its_result_back_with_the_callers_data_intact(
    probe_ctx: tuple[Probe, Context],
) -> None:
    probe, ctx = probe_ctx
    ctx.set_locale("en")
    ctx.goto("t.outer", draft={"name": "7A"}, picked=[1, 2])
    await ctx.call("t.inner", then="t.outer", level=1)
    assert ctx.convo.state == "t.inner" and ctx.replies[-1].text == "at t.inner?"
    await answer(ctx, "Đông Kinh")
    [seen] = probe.seen_by_steps  # the step sees its own arguments, not the caller's data
    assert {k: v for k, v in seen.items() if k != CALLS} == {"locale": "en", "level": 1}
    assert [frame["then"] for frame in seen[CALLS]] == ["t.outer"]
    (result, data, state) = probe.results[0]
    assert result == "Đông Kinh" and state == "t.outer"
    assert data == {"locale": "en", "draft": {"name": "7A"}, "picked": [1, 2]}


async def test_nested_calls_come_back_in_order(probe_ctx: tuple[Probe, Context]) -> None:
    probe, ctx = probe_ctx
    ctx.goto("t.outer", mine="kept")
    await ctx.call("t.inner", then="t.outer", level=1)
    await answer(ctx, "deeper")
    assert ctx.convo.state == "t.deeper"
    assert len(ctx.convo.data[CALLS]) == 2
    assert "mine" not in ctx.convo.data and "level" in ctx.convo.data
    await answer(ctx, "four")
    assert probe.results == [({"via": 1, "result": 4}, {"mine": "kept"}, "t.outer")]


async def test_a_locale_chosen_inside_a_step_survives_its_end(
    probe_ctx: tuple[Probe, Context],
) -> None:
    probe, ctx = probe_ctx
    ctx.set_locale("vi")
    await ctx.call("t.inner", then="t.outer")
    ctx.set_locale("en")  # the person picks English on the consent question
    await answer(ctx, "ok")
    assert probe.results[0][1] == {"locale": "en"} and ctx.locale == "en"


async def test_unknown_states_fail_at_once(probe_ctx: tuple[Probe, Context]) -> None:
    _probe, ctx = probe_ctx
    with pytest.raises(UnknownState):
        ctx.goto("t.nowhere")
    with pytest.raises(UnknownState):
        ctx.ask("?", state="t.nowhere")
    with pytest.raises(UnknownState):
        await ctx.call("t.nowhere", then="t.outer")
    with pytest.raises(UnknownState):
        await ctx.call("t.inner", then="t.nowhere")
    with pytest.raises(UnknownState):
        await ctx.call("t.inner", then="t.plain")  # it takes no result
    with pytest.raises(UnknownState):
        await ctx.give_back("nobody called")
