"""The real process, killed at random moments under load, then restarted (SIGKILL, SIGTERM).

Simulated people (`Crowd`) talk to the bot through the fake Bot API on loopback, reacting to
what it sends them: they onboard (pressing "I agree" and "Resident", typing their commune),
play quizzes by pressing answer buttons, subscribe, and send probes (`/u<n>`, an unknown
command whose answer names it). The bot is killed after a random number of its requests,
again and again, then runs to the end. Checked:

- every update the bot acknowledged to Telegram (its polling offset moved past it) is
  handled and answered: every probe is answered, and at the end nothing is left stored
  unhandled or unsent;
- every action the bot confirmed is in the database (onboarded, subscribed, quiz answers);
- after a SIGTERM nothing stored is left unhandled or unanswered, and nothing is repeated;
- after a SIGKILL the only sends repeated are those in flight at the kill: sent, with their
  "sent" mark not yet committed (read from the database the killed process left). A probe
  is answered at most once per process life;
- `PRAGMA integrity_check` is ok.

The lives are forked from a parent that imported the bot once (`tests/forked_bot.py`), so a
start takes a fraction of a second; the last life is a plain `python -m bot run`. They run by
default; BOT_KILL_TESTS=0 skips them. The two tests are in two files (tests/test_kill.py,
tests/test_kill_sigterm.py), so that they run side by side, each on a core.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.core.answers import RESEND_CHATS
from bot.core.inbox import InboxLimits
from tests import telegram_updates as updates
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_harness import the_spec

ROOT = Path(__file__).resolve().parent.parent
KILL_TESTS = pytest.mark.skipif(
    os.environ.get("BOT_KILL_TESTS") == "0", reason="BOT_KILL_TESTS=0 skips the kill tests"
)
PROBE = re.compile(r"/u(\d+)\b")
PEOPLE = 14
PROBERS = 6  # people who only send probes; the others onboard, play and subscribe
FIRST = 7000
PRESS_FIRST = ("I agree", "Resident", "Continue it")
SENDERS = InboxLimits().workers + RESEND_CHATS  # the inbox's workers and the resends


def bot_env(fake: FakeTelegram, db: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "BOT_DB_PATH": str(db),
        "LOG_LEVEL": "WARNING",
    }


class Forks:
    """The pre-imported parent of the bot's lives (`tests/forked_bot.py`)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def start(self, env: dict[str, str]) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(env).encode() + b"\n")
        await self.process.stdin.drain()
        return int(await self._line())

    async def exit_code(self) -> int:
        return int(await self._line())

    async def _line(self) -> bytes:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        assert line, "the forking parent ended"
        return line


@asynccontextmanager
async def forks() -> AsyncIterator[Forks]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.forked_bot",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        yield Forks(process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


@asynccontextmanager
async def life(parent: Forks, env: dict[str, str]) -> AsyncIterator[Life]:
    """One forked bot process; killed if the block leaves it running."""
    one = Life(parent, await parent.start(env))
    try:
        yield one
    finally:
        if one.code is None:
            with suppress(ProcessLookupError):
                os.kill(one.pid, signal.SIGKILL)
            await parent.exit_code()


@dataclass
class Life:
    parent: Forks
    pid: int
    code: int | None = None

    async def end(self, sig: signal.Signals) -> int:
        os.kill(self.pid, sig)
        self.code = await asyncio.wait_for(self.parent.exit_code(), 20)
        return self.code


@dataclass
class Crowd:
    """People who react to what the bot sent them last: 20 turns a second among them."""

    fake: FakeTelegram
    rng: random.Random = field(default_factory=lambda: random.Random(12))
    probes: dict[int, int] = field(default_factory=dict)  # probe number -> update id
    acted: dict[int, int] = field(default_factory=dict)  # the bot's last message they saw
    pressed: set[tuple[int, int]] = field(default_factory=set)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.step(FIRST + self.rng.randrange(PEOPLE))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)

    async def step(self, person: int) -> None:
        """A prober sends a probe now and then; anyone else presses the newest button or types
        the next answer, once the bot answered their last action."""
        user = updates.user(person)
        if person < FIRST + PROBERS:  # under the 1 message/s of their chat, answers included
            if self.rng.random() < 0.3:
                await self.probe(user)
            return
        recent = self.last_messages(person)
        latest = int(recent[-1]["message_id"]) if recent else 0
        if self.acted.get(person) == latest:
            return  # waiting for the bot
        message, data = self.button(person, recent)
        if message is not None and data is not None:
            self.pressed.add((person, int(message["message_id"])))
            await self.fake.push(updates.press(user, message, data))
        else:
            said = self.next_text(person, recent)
            if said is None:
                return
            await self.fake.push(updates.text(user, said))
        self.acted[person] = latest

    async def probe(self, user: dict[str, Any]) -> None:
        number = len(self.probes) + 1
        self.probes[number] = await self.fake.push(updates.text(user, f"/u{number}"))

    def last_messages(self, chat_id: int) -> list[dict[str, Any]]:
        found = sorted(
            (m for (c, _), m in self.fake.messages.items() if c == chat_id),
            key=lambda m: int(m["message_id"]),
        )
        return found[-3:]

    def button(
        self, person: int, recent: list[dict[str, Any]]
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The newest message with a button to press, and what pressing it sends."""
        for message in reversed(recent):
            if (person, int(message["message_id"])) in self.pressed:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = {b["text"]: b["callback_data"] for row in rows for b in row}
            for label in PRESS_FIRST:
                if label in buttons:
                    return message, str(buttons[label])
            if "Question " in message.get("text", "") and buttons:
                return message, str(self.rng.choice(sorted(buttons.values())))
        return None, None

    def next_text(self, person: int, recent: list[dict[str, Any]]) -> str | None:
        """What the person types next; None while they wait for the bot's next question.

        Once onboarded they subscribe, then take a quiz: its questions keep them pressing
        buttons for a while, so subscribing first lets the crowd reach `confirmed` within the
        first lives rather than in the last one, which waits for it."""
        texts = " ".join(m.get("text", "") for m in recent)
        if "Which commune" in texts:
            return "dong kinh"
        if not self.onboarded(person):
            return None if recent else "/start"
        said = [str(c.params.get("text", "")) for c in self.fake.sent(person, "sendMessage")]
        if not any("one tip every day at 6:30" in t for t in said):
            return "/subscribe 18:30"
        if not any(t.startswith(("✅", "❌")) for t in said):
            return "/quiz"
        return self.rng.choice(["/quiz", "/subscribe 18:30"])

    def confirmed(self) -> bool:
        """Someone was told they are onboarded, someone subscribed, someone got feedback."""
        texts = [str(c.params.get("text", "")) for c in self.fake.sent(method="sendMessage")]
        return (
            any("You're all set!" in t for t in texts)
            and any("one tip every day at 6:30" in t for t in texts)
            and any(t.startswith(("✅", "❌")) for t in texts)
        )

    def onboarded(self, person: int) -> bool:
        return any(
            "You're all set!" in call.params.get("text", "") for call in self.fake.sent(person)
        )


def probe_sends(fake: FakeTelegram, start: int = 0, end: int | None = None) -> list[int]:
    """The probe answered by each delivered message among the calls [start, end)."""
    found = []
    for call in fake.calls[start:end]:
        if call.method == "sendMessage" and call.status == 200:
            match = PROBE.search(str(call.params.get("text", "")))
            if match:
                found.append(int(match[1]))
    return found


async def settled(fake: FakeTelegram) -> int:
    """The number of calls once the fake answered what a killed process had sent: one more
    request of our own goes through the same server after them."""
    async with httpx.AsyncClient() as client:
        await client.post(f"{fake.base_url}{TOKEN}/getMe")
    return len(fake.calls)


def unmarked_probes(db: Path) -> set[int]:
    """Probes whose answer's first message is not recorded as sent: sent or not, in flight."""
    with sqlite3.connect(db) as check:
        rows = check.execute("SELECT replies FROM answers WHERE parts = 0").fetchall()
    return {int(m) for (replies,) in rows for m in PROBE.findall(str(replies))}


def left_over(db: Path) -> tuple[int, int]:
    """(stored updates not handled, answers not fully sent)."""
    with sqlite3.connect(db) as check:
        waiting = check.execute("SELECT count(*) FROM inbox WHERE status = 'new'").fetchone()
        unsent = check.execute("SELECT count(*) FROM answers").fetchone()
    return int(waiting[0]), int(unsent[0])


async def settles(predicate: Callable[[], bool], within: float) -> None:
    """Until `predicate()` holds, looked at every 20 ms: what the database says changes after
    the bot's last request (its last mark is committed once the answer came), so
    `FakeTelegram.wait_for`, woken by requests, would wait for the next long poll."""
    async with asyncio.timeout(within):
        # Another process writes the database: there is no event to wait on.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def polled(fake: FakeTelegram) -> Callable[[], bool]:
    """True once a process started after this call polls: a getUpdates request arrives. (The
    long poll of a life killed before is recorded in `fake.calls` only when it is answered,
    at the next update: it must not pass for the next life's.)"""
    before = fake.arrived["getUpdates"]
    return lambda: fake.arrived["getUpdates"] > before


async def until_busy(
    fake: FakeTelegram, rng: random.Random, sig: signal.Signals, polls: Callable[[], bool]
) -> None:
    """Until this life `polls`, then some more calls. One SIGKILL in five lands while the life
    starts; a SIGTERM always waits for the poll, as the process can only handle it once
    Python runs the bot (a SIGTERM during its imports kills it: exit code -15)."""
    if sig is signal.SIGTERM or rng.random() < 0.8:
        await fake.wait_for(polls, within=60)
    target = len(fake.calls) + rng.randrange(0, 40)
    await fake.wait_for(lambda: len(fake.calls) >= target, within=60)


@dataclass
class Run:
    """What the lives left: the call index where each ended, and what was in flight."""

    cuts: list[int] = field(default_factory=list)
    in_flight: list[set[int]] = field(default_factory=list)  # probes sent and not marked


async def run_with_kills(tmp_path: Path, kills: int, sig: signal.Signals) -> None:
    db = tmp_path / "kill.db"
    rng = random.Random(kills)
    run = Run()
    async with FakeTelegram(the_spec()) as fake, forks() as parent:
        env = bot_env(fake, db)
        crowd = Crowd(fake)
        stop = asyncio.Event()
        producer = asyncio.create_task(crowd.run(stop))
        try:
            for _ in range(kills):
                start, polls = len(fake.calls), polled(fake)
                async with life(parent, env) as one:
                    await until_busy(fake, rng, sig, polls)
                    code = await one.end(sig)
                run.cuts.append(await settled(fake))
                sent = set(probe_sends(fake, start, run.cuts[-1]))
                run.in_flight.append(unmarked_probes(db) & sent)
                if sig is signal.SIGTERM:
                    assert code == 0
                    assert left_over(db) == (0, 0)  # every stored update handled and answered
            await last_life(fake, db, env, crowd, stop, producer)
        finally:
            stop.set()
            await producer
    check_answers(fake, crowd, run, sig)
    check_database(fake, db)


async def last_life(
    fake: FakeTelegram,
    db: Path,
    env: dict[str, str],
    crowd: Crowd,
    stop: asyncio.Event,
    producer: asyncio.Task[None],
) -> None:
    """A plain `python -m bot run`: the crowd goes on until someone was onboarded, answered
    a quiz question and subscribed, then stops; the bot runs until all is answered."""
    polls = polled(fake)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env={**os.environ, **env},
        stdin=asyncio.subprocess.DEVNULL,
    )
    try:
        # Everything below may already hold from the earlier lives: wait for this process to
        # poll, which it does only once its SIGTERM handler is in place.
        await fake.wait_for(polls, within=60)
        await fake.wait_for(crowd.confirmed, within=120)
        stop.set()
        await producer
        last = crowd.probes[max(crowd.probes)]
        await fake.wait_for(lambda: fake.acked > last, within=120)
        wanted = set(crowd.probes)
        await fake.wait_for(lambda: wanted <= set(probe_sends(fake)), within=120)
        await settles(lambda: left_over(db) == (0, 0), within=120)  # resends too
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert left_over(db) == (0, 0)


def check_answers(fake: FakeTelegram, crowd: Crowd, run: Run, sig: signal.Signals) -> None:
    acknowledged = [n for n, update_id in crowd.probes.items() if update_id < fake.acked]
    assert len(acknowledged) == len(crowd.probes)
    answered = Counter(probe_sends(fake))
    assert not [n for n in acknowledged if not answered[n]]
    lives: dict[int, list[int]] = {}  # probe -> the lives that sent its answer
    bounds = [0, *run.cuts, len(fake.calls)]
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        for probe in probe_sends(fake, start, end):
            lives.setdefault(probe, []).append(number)
    repeated = {p: ls for p, ls in lives.items() if len(ls) > 1}
    assert all(len(set(ls)) == len(ls) for ls in lives.values())  # once per life at most
    for probe, sent_in in repeated.items():  # a repeat is a send the kill caught in flight
        assert probe in run.in_flight[sent_in[0]], (probe, sent_in)
    flights = [len(f) for f in run.in_flight]
    assert max(flights) <= SENDERS  # one send in flight per sender at most
    if sig is signal.SIGTERM:
        assert not repeated  # a graceful stop repeats nothing
    print(
        f"\n{sig.name}: {len(run.cuts)} stops, {len(crowd.probes)} probes, "
        f"{sum(len(ls) - 1 for ls in repeated.values())} repeated; "
        f"in flight at each stop: {flights}"
    )


def check_database(fake: FakeTelegram, db: Path) -> None:
    """Every confirmation the bot sent is backed by the database."""
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        people = {
            int(r[0]): r[1:]
            for r in check.execute(
                "SELECT channel_user_id, consent_at, commune_code, tip_time, id FROM users"
            )
        }
        answers: Counter[int] = Counter()
        for user_id, given in check.execute("SELECT user_id, answers FROM quiz_attempts"):
            answers[user_id] += len(json.loads(given))
    confirmed = Counter[str]()
    for person in range(FIRST, FIRST + PEOPLE):
        texts = [str(c.params.get("text", "")) for c in fake.sent(person, "sendMessage")]
        if any("You're all set!" in t for t in texts):
            consent_at, commune, _, _ = people[person]
            assert consent_at is not None and commune is not None, person
            confirmed["onboarded"] += 1
        if any("one tip every day at 6:30" in t for t in texts):
            assert people[person][2] == "18:30", person
            confirmed["subscribed"] += 1
        feedback = {t for t in texts if t.startswith(("✅", "❌"))}
        if feedback:
            assert len(feedback) <= answers[people[person][3]], person
            confirmed["quiz answers"] += len(feedback)
    assert confirmed["onboarded"] and confirmed["subscribed"] and confirmed["quiz answers"]
    print(f"confirmed and found in the database: {dict(confirmed)}")
