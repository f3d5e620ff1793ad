"""Loads and validates `content/pledges.yaml` (see that file's header)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.content.loader import MAX_SOURCE_CHARS, _unique
from bot.content.model import AUDIENCES, DURATIONS, Pledge
from bot.content.nodes import Node, load_yaml, members
from bot.core.wording import tokens

MAX_LABEL_CHARS = 48  # a button's label
MAX_TEXT_CHARS = 160
MAX_WHY_CHARS = 200
_FIGURE = re.compile(r"\d")


def load_pledges(path: Path) -> tuple[Pledge, ...]:
    node = load_yaml(path).child("pledges")
    pledges = tuple(_pledge(n) for n in node.items())
    _unique([p.id for p in pledges], node, "pledge id")
    return pledges


def _pledge(node: Node) -> Pledge:
    why = node.child("why").localized(MAX_WHY_CHARS)
    source_node = node.child("source", required=False)
    source = source_node.localized_or_text(MAX_SOURCE_CHARS) if source_node.value else None
    if source is None and (_FIGURE.search(why.vi) or _FIGURE.search(why.en)):
        # A number is a figure, a year or an article: a fact, which names where it comes from.
        raise source_node.fail("the why states a figure or an article: give its source")
    duration = node.child("duration")
    if duration.value not in DURATIONS:
        raise duration.fail(f"expected one of {', '.join(DURATIONS)}")
    words_node = node.child("words")
    words = tuple(dict.fromkeys(" ".join(tokens(n.text(60))) for n in words_node.items()))
    return Pledge(
        id=node.child("id").ident(),
        label=node.child("label").localized(MAX_LABEL_CHARS),
        text=node.child("text").localized(MAX_TEXT_CHARS),
        why=why,
        source=source,
        duration=duration.text(),
        audiences=members(node.child("audiences"), (*AUDIENCES, "all")),
        words=words,
    )
