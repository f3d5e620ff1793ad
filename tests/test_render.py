"""Degrading replies for channels without buttons or with short messages."""

from __future__ import annotations

from bot.core.messages import Capabilities, Choice, Reply
from bot.core.render import split_text, texts_for


def test_choices_become_numbered_lines_without_buttons() -> None:
    reply = Reply("Pick one", (Choice("Yes", "a:1"), Choice("No", "a:2")))
    assert texts_for(reply, Capabilities(buttons=False)) == ["Pick one\n1. Yes\n2. No"]
    assert texts_for(reply, Capabilities(buttons=True)) == ["Pick one"]


def test_long_text_splits_on_line_boundaries_under_the_limit() -> None:
    text = "\n".join(f"line {n:03d} " + "x" * 80 for n in range(60))
    parts = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text
    assert all(p.startswith("line ") for p in parts)


def test_a_single_huge_line_is_cut_at_spaces() -> None:
    text = " ".join(["word"] * 3000)
    parts = split_text(text, 2000)
    assert all(0 < len(p) <= 2000 for p in parts)
    assert " ".join(parts).split() == text.split()


def test_empty_text_stays_one_part() -> None:
    assert split_text("", 100) == [""]
