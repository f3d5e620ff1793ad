"""The answer corpus (tests/data/answers.yaml) and how the interpreter does on it.

Shared by tests/test_answer_corpus.py and benchmarks/interpreter.py. The steps are defined in
the corpus itself, by their real choices, so the corpus does not depend on feature code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.answers import load_answer_rules
from bot.core.choices import COMMAND
from bot.core.interpret import Interpreter, Verdict
from bot.core.messages import Choice

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "answers.yaml"
RULES = ROOT / "content" / "answers.yaml"
ASK_AGAIN = "ask again"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Step:
    name: str
    choices: tuple[Choice, ...]
    lettered: bool = False
    keywords: bool = False

    def intent_of(self, payload: str) -> str:
        return next((c.intent for c in self.choices if c.payload == payload), "")


@dataclass(frozen=True)
class Case:
    """One corpus entry: a choice answer (step set) or a time or a number (step None)."""

    section: str  # answers, times, numbers
    text: str
    expect: str  # a payload, "ask again", "ambiguous", "HH:MM", a number, or "" for none
    cat: str
    step: Step | None = None
    among: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    got: str

    @property
    def ok(self) -> bool:
        return self.got == self.case.expect

    @property
    def false_yes(self) -> bool:
        """A "no" answer taken for a "yes"."""
        step = self.case.step
        return (
            step is not None
            and step.intent_of(self.case.expect) == "no"
            and step.intent_of(self.got) == "yes"
        )

    @property
    def false_no(self) -> bool:
        step = self.case.step
        return (
            step is not None
            and step.intent_of(self.case.expect) == "yes"
            and step.intent_of(self.got) == "no"
        )


def load_cases(path: Path = CORPUS) -> list[Case]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = {
        name: Step(
            name,
            tuple(Choice(c["label"], c["payload"], c.get("intent", "")) for c in spec["choices"]),
            lettered=bool(spec.get("lettered", False)),
            keywords=bool(spec.get("keywords", False)),
        )
        for name, spec in data["steps"].items()
    }
    cases = [
        Case(
            "answers",
            str(e["text"]),
            str(e["expect"]),
            str(e["cat"]),
            steps[e["step"]],
            tuple(e.get("among", ())),
        )
        for e in data["answers"]
    ]
    for section in ("times", "numbers"):
        cases += [
            Case(section, str(e["text"]), "" if e["expect"] is None else str(e["expect"]), e["cat"])
            for e in data[section]
        ]
    return cases


def interpreter() -> Interpreter:
    return Interpreter(load_answer_rules(RULES))


def interpret(interp: Interpreter, case: Case) -> str:
    """What the bot makes of the answer, in the corpus's terms."""
    if case.section == "times":
        found = interp.time_of_day(case.text)
        return "" if found is None else found.strftime("%H:%M")
    if case.section == "numbers":
        number = interp.number(case.text)
        return "" if number is None else str(number)
    step = case.step
    assert step is not None
    result = interp.pick(case.text, step.choices, lettered=step.lettered)
    if result.verdict is Verdict.PICKED:
        return result.payload
    if result.verdict is Verdict.AMBIGUOUS:
        return (
            AMBIGUOUS
            if not case.among or set(result.payloads) == set(case.among)
            else (AMBIGUOUS + ": " + ", ".join(result.payloads))
        )
    if step.keywords:
        # As the engine does: a word outside the options that names a command runs it.
        command = interp.keyword(case.text, fuzzy=False)
        if command is not None:
            return COMMAND.make(command)
    return ASK_AGAIN


def run(interp: Interpreter, cases: list[Case]) -> list[Outcome]:
    return [Outcome(case, interpret(interp, case)) for case in cases]


def rate(outcomes: list[Outcome]) -> float:
    return sum(o.ok for o in outcomes) / len(outcomes)


def misses_by_category(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    found: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if not outcome.ok:
            found[f"{outcome.case.section}/{outcome.case.cat}"].append(outcome)
    return dict(sorted(found.items()))


def report(outcomes: list[Outcome]) -> str:
    """The rate, and the misses by category, one line each."""
    totals = Counter(f"{o.case.section}/{o.case.cat}" for o in outcomes)
    lines = [
        f"interpreted as expected: {sum(o.ok for o in outcomes)}/{len(outcomes)}"
        f" = {rate(outcomes):.1%}"
    ]
    for category, missed in misses_by_category(outcomes).items():
        lines.append(f"  {category}: {len(missed)} of {totals[category]} missed")
        for outcome in missed:
            where = f"[{outcome.case.step.name}] " if outcome.case.step else ""
            lines.append(
                f"    {where}{outcome.case.text!r}: expected {outcome.case.expect or None!r}, "
                f"got {outcome.got or None!r}"
            )
    return "\n".join(lines)
