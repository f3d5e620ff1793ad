"""Typed steps: the payload codec, called steps that give a result back, and registered states.

The last tests read the source with `ast`: every state a step can go to (goto, ask(state=),
call, then=) is registered, and no feature builds or takes apart a payload by hand.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_router
from bot.core import choices as choices_module
from bot.core import context as context_module
from bot.core.auth import Role
from bot.core.clock import iso
from bot.core.context import CALLS, Context, UnknownState
from bot.core.messages import Choice, Incoming
from bot.core.payloads import MAX_PAYLOAD_BYTES, Payload, PayloadError
from bot.core.router import Router, State
from bot.storage import users
from bot.storage.conversations import Conversation
from tests.harness import Chat, onboard

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
async def probe_ctx(app: App) -> AsyncIterator[tuple[Probe, Context]]:
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


async def test_the_date_step_keeps_the_class_draft_through_a_restart(
    make_app: Any, app: App
) -> None:
    """The called step's frames are conversation data: a restart continues them."""
    from tests.builders import school_and_teacher

    _school, teacher = await school_and_teacher(app)
    await teacher.send("/newclass")
    await teacher.press("Yes")
    await teacher.send("7A")
    await teacher.press("Lower secondary")
    await teacher.send("35")
    await teacher.press("No activity")
    assert "When does the campaign start?" in teacher.text
    restarted = Chat(await make_app(), teacher.name)
    await restarted.send("5/12")
    assert "When does it end?" in restarted.text
    await restarted.send("20/12/2026")
    assert "Class 7A is open" in restarted.text, restarted.text
    row = await app.deps.db.fetch_one("SELECT starts_on, ends_on, enrolled FROM classes")
    assert row is not None
    assert (row[0], row[1], row[2]) == ("2026-12-05", date(2026, 12, 20).isoformat(), 35)


# --- every state is registered, every payload declared ---------------------------------------

STATE_ARGS = {"goto": 0, "call": 0}  # calls whose first argument is a state
STATE_KEYWORDS = {"state", "then"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    yield from _parsed()


@functools.cache
def _parsed() -> tuple[tuple[str, ast.Module], ...]:
    """Every module of the bot, parsed once for the tests below (they only read the trees)."""
    found = []
    for path in sorted(BOT.rglob("*.py")):
        name = ".".join(path.relative_to(BOT.parent).with_suffix("").parts)
        found.append((name.removesuffix(".__init__"), ast.parse(path.read_text(), str(path))))
    return tuple(found)


def _constants() -> dict[str, dict[str, str]]:
    """Each module's string constants (NAME = "text"), and the ones it imports by name."""
    own: dict[str, dict[str, str]] = {}
    imports: dict[str, dict[str, tuple[str, str]]] = {}
    for module, tree in _modules():
        own[module], imports[module] = {}, {}
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        own[module][target.id] = node.value.value
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    imports[module][alias.asname or alias.name] = (node.module, alias.name)
    return {
        module: {
            **own[module],
            **{
                name: own.get(source, {})[original]
                for name, (source, original) in imports[module].items()
                if original in own.get(source, {})
            },
        }
        for module in own
    }


# The conversation's code, not the channels' (whose `call("getMe")` is an API call).
CONVERSATIONS = ("bot.features", "bot.steps", "bot.domain", "bot.core")


def _value(
    node: ast.expr, known: dict[str, str], constants: dict[str, dict[str, str]]
) -> str | None:
    """The text of a literal, of a constant, or of `module.CONSTANT` (quiz_flow.QUESTION_STATE)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return constants.get(f"bot.features.{node.value.id}", {}).get(node.attr)
    return None


def _state_names() -> Iterator[tuple[str, int, str]]:
    """(module, line, state) for every state named by a literal or a constant."""
    constants = _constants()
    for module, tree in _modules():
        if not module.startswith(CONVERSATIONS):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            found = []
            if name in STATE_ARGS and len(node.args) > STATE_ARGS[name]:
                found.append(node.args[STATE_ARGS[name]])
            found += [k.value for k in node.keywords if k.arg in STATE_KEYWORDS]
            for expr in found:
                state = _value(expr, constants[module], constants)
                if state is not None:
                    yield module, node.lineno, state


def test_every_state_a_step_can_go_to_is_registered() -> None:
    registered = build_router().states
    named = list(_state_names())
    assert len(named) > 40  # the scan finds the features' steps
    missing = [f"{m}:{line} {s!r}" for m, line, s in named if s and s not in registered]
    assert missing == []


def test_every_profile_question_is_a_registered_state() -> None:
    from bot.steps import commune, profile

    states = build_router().states
    for question in profile.QUESTIONS:
        name = commune.STEP if question == "commune" else f"profile.{question}"
        assert name in states, question


async def test_asking_an_unknown_profile_question_fails(probe_ctx: tuple[Probe, Context]) -> None:
    from bot.steps.profile import ask_profile

    _probe, ctx = probe_ctx
    with pytest.raises(UnknownState):
        await ask_profile(ctx, ["role", "shoe size"], then="t.outer")


def test_every_state_that_takes_a_result_is_one_a_step_returns_to() -> None:
    router = build_router()
    then = {state for _m, _line, state in _state_names()}
    takes = {name for name, state in router.states.items() if state.on_return is not None}
    assert takes <= then, takes - then


def _payload_problems(module: str, tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "Choice" and len(node.args) >= 2:
                payload = node.args[1]
                if isinstance(payload, ast.JoinedStr) or (
                    isinstance(payload, ast.Constant) and isinstance(payload.value, str)
                ):
                    yield f"{module}:{node.lineno} a Choice with a hand-made payload"
            if name in ("split", "partition", "removeprefix", "startswith") and isinstance(
                func, ast.Attribute
            ):
                target = ast.unparse(func.value)
                if "payload" in target:
                    yield f"{module}:{node.lineno} {target}.{name}(...)"
        if isinstance(node, ast.Compare) and "payload" in ast.unparse(node.left):
            for right in node.comparators:
                if isinstance(right, ast.Constant) and isinstance(right.value, str):
                    yield f"{module}:{node.lineno} {ast.unparse(node)}"


def test_features_and_steps_use_declared_payloads_only() -> None:
    problems = [
        problem
        for module, tree in _modules()
        if module.startswith(CONVERSATIONS) and module != "bot.core.payloads"  # the codec
        for problem in _payload_problems(module, tree)
    ]
    assert problems == []


async def test_every_payload_offered_on_the_way_is_of_a_declared_kind(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []
    checked = choices_module.checked  # what bot.core.context calls

    def recording(choice: Choice) -> Choice:
        offered.append(choice.payload)
        return checked(choice)

    monkeypatch.setattr(context_module, "checked", recording)
    student = Chat(app, "lan")
    await onboard(student, "Student", level="Lower secondary", age="15 to 17")
    for command in ("/menu", "/settings", "/quiz", "/deleteme"):
        await student.send(command)
    admin = Chat(app, "admin")
    await onboard(admin)
    await admin.send("/invite officer")
    await admin.press("Sở NN&MT")
    await admin.press("One commune")
    await admin.send("an")
    await admin.press("Back to the districts")
    kinds = list(Payload.registered.values())
    assert len(set(offered)) > 30
    undeclared = [p for p in offered if not any(kind.is_kind(p) for kind in kinds)]
    assert undeclared == []


# --- layers ----------------------------------------------------------------------------------


# quiz_flow is the quiz feature's second module (one attempt from question to score), not a
# feature of its own: it registers nothing.
def _feature(module: str) -> str:
    """The feature a module belongs to: `bot.features.quiz.flow` is the quiz's own."""
    return ".".join(module.split(".")[:3])


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_features_do_not_import_each_other_and_shared_code_lives_below_them() -> None:
    wrong = []
    for module, tree in _modules():
        below = module.startswith(("bot.steps", "bot.domain", "bot.core"))
        feature = module.startswith("bot.features.")
        for imported in sorted(set(_imports(tree))):
            if not imported.startswith("bot.features.") or imported == module:
                continue
            if below or (feature and _feature(imported) != _feature(module)):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []
