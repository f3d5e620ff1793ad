"""Loads the answer interpreter's rules from `content/answers.yaml` (see that file's header)."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from pathlib import Path

from bot.content.loader import Node, load_yaml
from bot.core.interpret import AnswerRules, NumberRange
from bot.core.times import Period
from bot.core.wording import tokens

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _phrases(node: Node) -> tuple[str, ...]:
    """A list of words or phrases, split into words as answers are ("don't" -> "don t")."""
    found = [" ".join(tokens(str(n.text()))) for n in node.items()]
    return tuple(dict.fromkeys(p for p in found if p))


def _range(intent: str, node: Node) -> NumberRange:
    low, high = node.child("min").value, node.child("max").value
    if not isinstance(low, int) or not isinstance(high, int) or low > high:
        raise node.fail("min and max must be whole numbers, min <= max")
    return NumberRange(intent, low, high, frozenset(_phrases(node.child("words"))))


def _period(word: str, node: Node) -> Period:
    default = node.child("default").text()
    match = _HHMM.match(default)
    if match is None:
        raise node.child("default").fail(f"{default!r} is not a time HH:MM")
    pm_below = node.child("pm_below").value
    if not isinstance(pm_below, int) or not 0 <= pm_below <= 12:
        raise node.child("pm_below").fail("expected a whole number from 0 to 12")
    return Period(word, time(int(match.group(1)), int(match.group(2))), pm_below)


def _spellings(node: Node) -> dict[str, str]:
    """Other spellings of one word ("nilon") and the words the options use ("ni lông")."""
    if node.value is None:
        return {}
    if not isinstance(node.value, dict):
        raise node.fail("expected a mapping")
    found = {}
    for key in node.value:
        typed, usual = tokens(str(key)), tokens(node.child(key).text())
        if len(typed) != 1 or not usual:
            raise node.child(key).fail("expected one word, and the words it stands for")
        found[typed[0]] = " ".join(usual)
    return found


def load_answer_rules(path: Path) -> AnswerRules:
    root = load_yaml(path)
    intents_node, ranges_node = root.child("intents"), root.child("ranges")
    keywords_node, periods_node = root.child("keywords"), root.child("periods")
    for node in (intents_node, ranges_node, keywords_node, periods_node):
        if not isinstance(node.value, dict) or not node.value:
            raise node.fail("expected a non-empty mapping")
    spellings = _spellings(root.child("spellings", required=False))
    return AnswerRules(
        spellings=spellings,
        fillers=frozenset(_phrases(root.child("fillers"))),
        negations=frozenset(_phrases(root.child("negations"))),
        written_negations=frozenset(
            unicodedata.normalize("NFC", str(n.text()).lower())
            for n in root.child("negations").items()
        ),
        intents={k: _phrases(intents_node.child(k)) for k in intents_node.value},
        ranges=tuple(_range(k, ranges_node.child(k)) for k in ranges_node.value),
        keywords={k: _phrases(keywords_node.child(k)) for k in keywords_node.value},
        periods=tuple(
            _period(Node(k, root.file, "periods").text(), periods_node.child(k))
            for k in periods_node.value
        ),
    )
