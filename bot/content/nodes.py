"""YAML values that remember where they came from, so every error names the file and key."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content.model import WEEKDAYS, DayRule, Localized

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_FIXED_DAY = re.compile(r"^(\d\d)-(\d\d)$")
_NTH_DAY = re.compile(r"^(\d\d)/([1-4]|last)/([a-z]{3})$")

# libyaml's C loader when PyYAML has it (several times faster; the same safe subset).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(ValueError):
    """A content file is invalid; the message names the file and the key."""


class Node:
    """A YAML value plus where it came from, for error messages."""

    def __init__(self, value: Any, file: str, key: str) -> None:
        self.value, self.file, self.key = value, file, key

    def fail(self, message: str) -> ContentError:
        return ContentError(f"{self.file}: {self.key}: {message}")

    def child(self, name: str | int, required: bool = True) -> Node:
        key = f"{self.key}[{name}]" if isinstance(name, int) else f"{self.key}.{name}".strip(".")
        if isinstance(name, int):
            return Node(self.value[name], self.file, key)
        if not isinstance(self.value, dict):
            raise self.fail("expected a mapping")
        if required and name not in self.value:
            raise Node(None, self.file, key).fail("missing")
        return Node(self.value.get(name), self.file, key)

    def items(self) -> list[Node]:
        if not isinstance(self.value, list) or not self.value:
            raise self.fail("expected a non-empty list")
        return [self.child(i) for i in range(len(self.value))]

    def text(self, max_len: int = 2000) -> str:
        if not isinstance(self.value, str | int) or not str(self.value).strip():
            raise self.fail("expected non-empty text")
        value = str(self.value).strip()
        if len(value) > max_len:
            raise self.fail(f"longer than {max_len} characters ({len(value)})")
        return unicodedata.normalize("NFC", value)

    def localized(self, max_len: int = 2000) -> Localized:
        return Localized(vi=self.child("vi").text(max_len), en=self.child("en").text(max_len))

    def localized_or_text(self, max_len: int = 2000) -> Localized:
        """A `{vi, en}` mapping, or one text used for both languages (older content)."""
        if isinstance(self.value, dict):
            return self.localized(max_len)
        if isinstance(self.value, list):
            raise self.fail("expected text or a mapping with vi and en")
        value = self.text(max_len)
        return Localized(vi=value, en=value)

    def ident(self) -> str:
        value = self.text()
        if not _ID.match(value):
            raise self.fail(f"{value!r} is not a valid id (lowercase letters, digits, '-')")
        return value


def load_yaml(path: Path) -> Node:
    try:
        with path.open(encoding="utf-8") as handle:
            node = Node(yaml.load(handle, Loader=SAFE_LOADER), str(path), "")
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    _check_keys(node)
    return node


def _check_keys(node: Node) -> None:
    """Refuses keys YAML 1.1 turned into booleans: an unquoted `on:` becomes True."""
    if isinstance(node.value, dict):
        for key in node.value:
            if not isinstance(key, str):
                hint = ' (write "on": with quotes)' if key is True else ""
                raise node.fail(f"key {key!r} is not text{hint}")
            _check_keys(node.child(key))
    elif isinstance(node.value, list):
        for index in range(len(node.value)):
            _check_keys(node.child(index))


def members(node: Node, allowed: tuple[str, ...]) -> frozenset[str]:
    values = [n.text() for n in node.items()]
    for index, value in enumerate(values):
        if value not in allowed:
            raise node.child(index).fail(f"{value!r} is not one of {', '.join(allowed)}")
    return frozenset(values)


def day_rule(node: Node) -> DayRule:
    value = node.text()
    if fixed := _FIXED_DAY.match(value):
        month, day = int(fixed[1]), int(fixed[2])
        if real_day(month, day):
            return DayRule(month=month, day=day)
    elif nth := _NTH_DAY.match(value):
        month, which, weekday = int(nth[1]), nth[2], nth[3]
        if 1 <= month <= 12 and weekday in WEEKDAYS:
            position = -1 if which == "last" else int(which)
            return DayRule(month=month, nth=position, weekday=WEEKDAYS.index(weekday))
    raise node.fail(f"{value!r} is not 'MM-DD' or 'MM/N/weekday' (e.g. '03/last/sat')")


def real_day(month: int, day: int) -> bool:
    """A day that exists in some year (29 February included, 30 February not)."""
    try:
        date(2024, month, day)
    except ValueError:
        return False
    return True


def iso_day(node: Node) -> date | None:
    """'YYYY-MM-DD' (quoted or not) or null."""
    if node.value is None:
        return None
    if isinstance(node.value, date):
        return node.value
    try:
        return date.fromisoformat(node.text())
    except ValueError as exc:
        raise node.fail(f"{node.value!r} is not a date written YYYY-MM-DD") from exc
