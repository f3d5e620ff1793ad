"""`bot.core.jsons` gives what the standard library gives, in its corners too (lone
surrogates, keys that are not strings), and the Bot API's answers parse as
python-telegram-bot parses them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import TelegramError
from telegram.request import BaseRequest

from bot.channels.telegram.aiohttp_request import AiohttpRequest
from bot.core import jsons

TEXTS = st.text(st.characters(codec=None))  # lone surrogates included
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXTS
VALUES = st.recursive(
    SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=12,
)


def standard(value: Any, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


@given(VALUES, st.booleans())
def test_dumps_writes_what_json_writes(value: Any, sort_keys: bool) -> None:
    assert json.loads(jsons.dumps(value, sort_keys=sort_keys)) == json.loads(
        standard(value, sort_keys)
    )


@given(VALUES)
def test_loads_reads_what_json_reads(value: Any) -> None:
    text = standard(value)
    assert jsons.loads(text) == json.loads(text)
    escaped = json.dumps(value)  # \\u escapes, lone surrogates as `\\ud800`
    assert jsons.loads(escaped) == json.loads(escaped)


def test_the_corners_orjson_refuses_are_written_as_json_writes_them() -> None:
    assert jsons.dumps({"t": "a\ud800b"}) == '{"t":"a\ud800b"}'
    assert jsons.dumps({1: "one"}) == '{"1":"one"}'
    assert jsons.dumps({"b": 1, "a": "Lạng Sơn"}, sort_keys=True) == '{"a":"Lạng Sơn","b":1}'
    assert jsons.dump_bytes({"text": "mẹo"}) == '{"text":"mẹo"}'.encode()
    with pytest.raises(UnicodeEncodeError):  # a request body is UTF-8: no lone surrogate
        jsons.dump_bytes({"text": "a\ud800"})


def test_loads_raises_value_error_for_what_is_not_json() -> None:
    for text in ("", "{", "nope", b"\xff{}"):
        with pytest.raises(ValueError):
            jsons.loads(text)


def test_the_bot_api_answers_parse_as_python_telegram_bot_parses_them() -> None:
    for payload in (b'{"ok":true,"result":{"text":"M\xe1\xba\xb9o"}}', b'{"ok":true,"r":"\xff"}'):
        assert AiohttpRequest.parse_json_payload(payload) == BaseRequest.parse_json_payload(payload)
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>Bad Gateway</html>")
