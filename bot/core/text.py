"""Text hygiene and accent-insensitive matching for Vietnamese."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")
_UNIT_PREFIXES = ("phuong ", "xa ", "thi tran ", "p. ", "x. ")


def clean(text: str) -> str:
    """NFC-normalises, drops control and invisible characters, collapses runs of spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case, accent-free form for matching: 'Phường Đông Kinh' -> 'phuong dong kinh'.

    Works for precomposed (NFC) and decomposed (NFD) input alike.
    """
    decomposed = unicodedata.normalize("NFD", clean(text).lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.replace("đ", "d").replace("ð", "d")


def fold_unit_name(text: str) -> str:
    """Folds a commune name and drops its 'Xã '/'Phường ' prefix."""
    folded = fold(text)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji or punctuation)."""
    return any(c.isalnum() for c in text)
