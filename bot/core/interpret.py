"""The answer interpreter: what a typed answer means, as people write it on Zalo.

Every typed answer goes through `Interpreter.pick`: numbers, letters (A-D on quizzes), the
option's words or an unambiguous part of them, accent-free, with small typos (rapidfuzz, OSA
distance), and everyday synonyms (`đồng ý`, `vâng`, `ko`...). The rules are data in
`content/answers.yaml` (loaded by `bot.content.answers`); times of day are `bot.core.times`.
A negation ("không đồng ý", "ko", "chưa") is never taken for the "yes" option.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from bot.core.choices import COMMAND
from bot.core.messages import Choice
from bot.core.text import fold
from bot.core.times import Period, time_of_day
from bot.core.wording import (
    contains_run,
    near,
    near_words,
    starts_run,
    tokens,
    written_words,
)

_LETTER = re.compile(r"^(?:(?:cau|dap an|phuong an|chon|y|option|answer)\s*)?([a-z])\s*[.):]?$")
_BARE_NUMBER = re.compile(r"^(?:(?:so|chon|cau|number)\s*)?(\d{1,4})\s*[.)]?$")
_NEAR_NEGATION = 5  # a typo in a negation this long still counts ("khng", "kong" for "không")
_DIGITS = re.compile(r"(?<![\d.])-?\d{1,6}")  # a minus sign counts: "-3" is not 3


class Verdict(StrEnum):
    PICKED = "picked"
    AMBIGUOUS = "ambiguous"
    MISSED = "missed"


@dataclass(frozen=True)
class Interpretation:
    """What an answer picked: one payload, several (ask which), or nothing."""

    verdict: Verdict
    payloads: tuple[str, ...] = ()

    @property
    def payload(self) -> str:
        return self.payloads[0] if self.verdict is Verdict.PICKED else ""


MISSED = Interpretation(Verdict.MISSED)


@dataclass(frozen=True)
class NumberRange:
    """A number that picks an option carrying `intent` ("13 tuổi" -> age 11-14)."""

    intent: str
    low: int
    high: int
    units: frozenset[str]


@dataclass(frozen=True)
class AnswerRules:
    """The interpreter's data, folded (accent-free, lower case) once at load time."""

    fillers: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()
    # The negations as written, with accents: accent-free "dung" is "đừng" (don't) or "đúng"
    # (right), and only the accents, or the word after it, tell which.
    written_negations: frozenset[str] = frozenset()
    intents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: tuple[NumberRange, ...] = ()
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    periods: tuple[Period, ...] = ()
    spellings: Mapping[str, str] = field(default_factory=dict)  # "nilon" -> "ni long"


class Interpreter:
    def __init__(self, rules: AnswerRules) -> None:
        self.rules = rules
        self._fillers = sorted((f.split() for f in rules.fillers), key=len, reverse=True)
        self._negations = [n.split() for n in rules.negations]
        self._negation_words = frozenset(n for n in rules.negations if " " not in n)
        yes_words = {p for p in rules.intents.get("yes", ()) if " " not in p}
        # Negations that, without accents, are also a "yes" word: "dung" (đừng / đúng).
        self._homographs: dict[str, set[str]] = {
            n: set() for n in rules.negations if n in yes_words
        }
        for written in rules.written_negations:
            if fold(written) in self._homographs:
                self._homographs[fold(written)].add(written)
        self._yes_words = yes_words | {f for f in rules.fillers if " " not in f}
        self._intents = {k: [p.split() for p in v] for k, v in rules.intents.items()}
        self._spellings = {k: v.split() for k, v in rules.spellings.items()}
        # Read as typed words are: without their fillers ('xã mình thế nào' -> 'xa the nao').
        self._keywords = {k: [self.words(p) for p in v] for k, v in rules.keywords.items()}

    # -- words ----------------------------------------------------------------------------
    def spelt(self, text: str) -> list[str]:
        """The answer's words, other spellings made the usual one ('nilon' -> 'ni long')."""
        found = tokens(text)
        if not any(word in self._spellings for word in found):
            return found
        return [part for word in found for part in self._spellings.get(word, [word])]

    def words(self, text: str) -> list[str]:
        """The answer's words without fillers ('vâng ạ' -> ['vang'])."""
        found = self.spelt(text)
        for filler in self._fillers:
            size = len(filler)
            i = 0
            while i + size <= len(found):
                if found[i : i + size] == filler and len(found) > size:
                    del found[i : i + size]
                else:
                    i += 1
        return found

    def is_negative(self, text: str) -> bool:
        found = tokens(text)
        written = written_words(text)
        if len(written) != len(found):
            written = found
        for negation in self._negations:
            if len(negation) == 1 and negation[0] in self._homographs:
                if any(
                    self._negates(found, written, i)
                    for i, w in enumerate(found)
                    if w == negation[0]
                ):
                    return True
            elif contains_run(found, negation):
                return True
        long_ones = [n[0] for n in self._negations if len(n) == 1 and len(n[0]) >= _NEAR_NEGATION]
        return any(near(word, n) for word in found if len(word) >= 4 for n in long_ones)

    def _negates(self, found: list[str], written: list[str], index: int) -> bool:
        """Whether a homograph ("dung") is the negation here: its accents say so, or, written
        without accents, a word that is not a "yes" follows it ("dung xoa", not "dung roi")."""
        if written[index] != found[index]:
            return written[index] in self._homographs[found[index]]
        return index + 1 < len(found) and found[index + 1] not in self._yes_words

    def unsure(self, text: str) -> bool:
        """An answer that ends on an accent-free homograph ("dung"): yes or no, who knows."""
        found, written = tokens(text), written_words(text)
        return bool(found) and found[-1] in self._homographs and written[-1:] == found[-1:]

    # -- choices --------------------------------------------------------------------------
    def pick(
        self, text: str, offered: Sequence[Choice], *, lettered: bool = False, loose: bool = True
    ) -> Interpretation:
        """The option a typed answer picks among `offered`.

        With `loose=False` (a step that also reads free text, such as a commune's name) only a
        number, a letter or the option's exact words count; parts of words and typos don't.
        """
        if not offered:
            return MISSED
        found, words = self.spelt(text), self.words(text)
        # A letter or a number, as typed or without its fillers ("C ạ", "em 13", "chọn 1 nhé").
        for form in dict.fromkeys((" ".join(found), " ".join(words))):
            early = self._by_index(form, offered, lettered)
            if early is not None:
                return early
        if not words:
            return MISSED
        if lettered:
            copied = _letter_and_label(found, offered)
            if copied is not None:
                return copied
        if self.unsure(text) and any(c.intent == "yes" for c in offered):
            return MISSED
        negative = self.is_negative(text)
        candidates = [c for c in offered if not (negative and c.intent == "yes")]
        if loose and negative and any(c.intent == "no" for c in offered):
            return _one(next(c.payload for c in offered if c.intent == "no"))
        if loose:
            numbered = _label_number(found, candidates)
            if numbered is not None:
                return numbered
        hits = [c.payload for c in candidates if self._exact(found, c) or self._exact(words, c)]
        if hits:  # the option's own words ("dưới 11 tuổi")
            return self._one_of(text, hits)
        # A number with its unit ("17 tuổi") says more than a word around it ("em 17 tuổi rồi":
        # "rồi" is also a yes), so it picks the option whose range holds it first.
        ranged = self._number_with_unit(" ".join(found), offered)
        if ranged is not None:
            return ranged
        if loose:
            hits = [
                c.payload
                for c in candidates
                if self._contained(found, c) or self._contained(words, c)
            ]
            if hits:
                return self._one_of(text, hits)
        if not loose:
            return MISSED
        hits = [c.payload for c in candidates if self._fuzzy(words, c)]
        if hits:
            return self._one_of(text, hits)
        numbers = {w for w in found if w.isdigit()}
        return (
            self._by_range(int(numbers.pop()), offered, unit=None) if len(numbers) == 1 else MISSED
        )

    def _by_index(
        self, form: str, offered: Sequence[Choice], lettered: bool
    ) -> Interpretation | None:
        """A letter ("c", "câu c") or a number ("2", "13": an age) that alone is the answer."""
        letter = _LETTER.match(form) if lettered else None
        if letter:
            index = ord(letter.group(1)) - ord("a")
            return _one(offered[index].payload) if index < len(offered) else MISSED
        number = _BARE_NUMBER.match(form)
        if number is None:
            return None
        index = int(number.group(1))
        if 1 <= index <= len(offered):
            return _one(offered[index - 1].payload)
        ranged = self._by_range(index, offered, unit=None)
        return ranged if ranged.verdict is Verdict.PICKED else None

    def _one_of(self, text: str, hits: list[str]) -> Interpretation:
        """One hit, or several: then a command word ("mẹo" on the menu) decides, else ask."""
        if len(hits) == 1:
            return _one(hits[0])
        command = self.keyword(text, fuzzy=False)
        if command is not None and COMMAND.make(command) in hits:
            return _one(COMMAND.make(command))
        return Interpretation(Verdict.AMBIGUOUS, tuple(hits))

    def _phrases(self, choice: Choice) -> list[list[str]]:
        return [tokens(choice.label), *self._intents.get(choice.intent, [])]

    def _exact(self, words: list[str], choice: Choice) -> bool:
        return any(words == phrase for phrase in self._phrases(choice))

    def _contained(self, words: list[str], choice: Choice) -> bool:
        label = tokens(choice.label)
        if sum(len(w) for w in words) >= 3 and (
            contains_run(label, words) or starts_run(label, words)
        ):
            return True
        return any(contains_run(words, phrase) for phrase in self._phrases(choice) if phrase)

    def _fuzzy(self, words: list[str], choice: Choice) -> bool:
        typed = " ".join(words)
        for phrase in self._phrases(choice):
            if near_words(words, phrase, self._negation_words):
                return True
            joined = " ".join(phrase)
            if len(joined) >= 4 and near(typed, joined):
                return True
        return False

    def _number_with_unit(self, folded: str, offered: Sequence[Choice]) -> Interpretation | None:
        found = tokens(folded)
        for i, word in enumerate(found):
            match = re.fullmatch(r"(\d{1,3})([a-z]*)", word)
            if not match:
                continue
            units = {match.group(2)} | set(found[i - 1 : i]) | set(found[i + 1 : i + 2])
            result = self._by_range(int(match.group(1)), offered, unit=units)
            if result.verdict is not Verdict.MISSED:
                return result
        return None

    def _by_range(
        self, value: int, offered: Sequence[Choice], unit: set[str] | None
    ) -> Interpretation:
        intents = {
            r.intent
            for r in self.rules.ranges
            if r.low <= value <= r.high and (unit is None or r.units & unit)
        }
        hits = [c.payload for c in offered if c.intent in intents]
        return _one(hits[0]) if len(hits) == 1 else MISSED

    # -- free text ------------------------------------------------------------------------
    def keyword(self, text: str, *, fuzzy: bool = True) -> str | None:
        """The command a word or phrase typed outside a question stands for ('meo' -> tip)."""
        words = self.words(text)
        if not words or len(words) > 8:
            return None
        for exact in (True, False):
            for command, phrases in self._keywords.items():
                for phrase in phrases:
                    if words == phrase or (
                        not exact and len(phrase) > 1 and contains_run(words, phrase)
                    ):
                        return command
        if fuzzy:
            for command, phrases in self._keywords.items():
                if any(
                    len(" ".join(p)) >= 4 and near_words(words, p) and len(words) == len(p)
                    for p in phrases
                ):
                    return command
        return None

    def number(self, text: str) -> int | None:
        """The one number in an answer ('38 em', '13 tuổi', 'lớp 7'); None if none or several."""
        found = _DIGITS.findall(fold(text))
        return int(found[0]) if len(set(found)) == 1 else None

    def time_of_day(self, text: str) -> time | None:
        """'6 giờ sáng', '6h sáng', '7 giờ tối' (19:00), '18h30', '18:30', 'trưa' (11:30)."""
        return time_of_day(self.rules.periods, text)


def _letter_and_label(found: list[str], offered: Sequence[Choice]) -> Interpretation | None:
    """A letter followed by words of that option, as copied from the list ("C. Túi vải")."""
    if len(found) < 2 or len(found[0]) != 1 or not found[0].isalpha():
        return None
    index = ord(found[0]) - ord("a")
    if index >= len(offered) or not contains_run(tokens(offered[index].label), found[1:]):
        return None
    return _one(offered[index].payload)


def _label_number(found: list[str], offered: Sequence[Choice]) -> Interpretation | None:
    """The one number in the answer is in one option's label only ("16 tuổi rồi" -> "Mình từ 16
    tuổi trở lên"). A bare number is an option's number, except for an option with no yes/no."""
    numbers = {w for w in found if w.isdigit()}
    if len(numbers) != 1:
        return None
    number = numbers.pop()
    hits = [c for c in offered if number in tokens(c.label)]
    if len(hits) != 1 or (len(found) == 1 and hits[0].intent in ("yes", "no")):
        return None
    return _one(hits[0].payload)


def _one(payload: str) -> Interpretation:
    return Interpretation(Verdict.PICKED, (payload,))
