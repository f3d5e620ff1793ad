"""Words as the interpreter compares them: accent-free tokens, runs of whole words, and
typos scaled to the word's length (rapidfuzz's OSA distance: a swap counts as one)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz.distance import OSA

from bot.core.text import fold

_TOKEN = re.compile(r"[a-z]+|[0-9]+")  # "lop7" and "1kg" are two words each
_WRITTEN = re.compile(r"[^\W\d_]+|\d+")


def tokens(text: str) -> list[str]:
    """Accent-free lower-case words and numbers: 'Đồng ý!' -> ['dong', 'y'], 'lop7' -> ['lop',
    '7'], "don't" -> ['don', 't']. Rules and answers are both split this way."""
    return _TOKEN.findall(fold(text))


def written_words(text: str) -> list[str]:
    """The answer's words as written (lower case, accents kept), in the order of `tokens`."""
    return _WRITTEN.findall(unicodedata.normalize("NFC", text.lower()))


def allowed_typos(length: int) -> int:
    """Letters a word of this length may get wrong: none up to 3, one up to 6, then two."""
    return 0 if length <= 3 else 1 if length <= 6 else 2


def contains_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """True when `needle` appears in `haystack` as a run of whole words."""
    size = len(needle)
    if not size or size > len(haystack):
        return False
    return any(
        list(haystack[i : i + size]) == list(needle) for i in range(len(haystack) - size + 1)
    )


def starts_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Like `contains_run`, but the last word may be cut short ('eng' for 'English')."""
    size = len(needle)
    if not size or size > len(haystack) or len(needle[-1]) < 3:
        return False
    for i in range(len(haystack) - size + 1):
        window = haystack[i : i + size]
        if list(window[:-1]) == list(needle[:-1]) and window[-1].startswith(needle[-1]):
            return True
    return False


def near(word: str, target: str) -> bool:
    """Equal, or a typo away: a swapped, missing, extra or wrong letter counts as one."""
    if word == target:
        return True
    if len(word) < 3:
        return False
    limit = allowed_typos(max(len(word), len(target)))
    return limit > 0 and OSA.distance(word, target, score_cutoff=limit) <= limit


def near_words(
    words: Sequence[str], target: Sequence[str], keep: frozenset[str] = frozenset()
) -> bool:
    """Every typed word is near a word of the target, in order, and one of them is 4+ letters.

    Target words in `keep` (the negations) may not be skipped: "dongy" is not "không đồng ý".
    """
    if not words or not any(len(w) >= 4 for w in words):
        return False
    position = 0
    for word in words:
        while position < len(target) and not near(word, target[position]):
            if target[position] in keep:
                return False
            position += 1
        if position == len(target):
            return False
        position += 1
    return True
