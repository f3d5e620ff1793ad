"""JSON for the paths every update takes: orjson, with the standard library where orjson says no.

Each update is turned to and from JSON several times (the stored update, the conversation,
the answer's replies and its address, the Bot API request and its answer): with `json` that
was about 8% of the bot's CPU at its ceiling, and orjson does the same work in a tenth of the
time. orjson refuses what `json` accepts in two corners the bot meets: a lone surrogate in
a text (a broken emoji typed on some phones: `json` writes it, and reads it back from a
`\\ud800` escape), and dictionary keys that are not strings. There the standard library
does the work, so the result is always what `json` gives, spaces aside: the text is compact
(no space after `,` and `:`) and UTF-8, never `\\u` escapes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """`value` as compact JSON text, Vietnamese as it is."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def dump_bytes(value: Any) -> bytes:
    """`dumps` encoded in UTF-8, for a request body."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def loads(text: str | bytes) -> Any:
    """The value of a JSON text; raises `ValueError` (as `json.loads`) if it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
