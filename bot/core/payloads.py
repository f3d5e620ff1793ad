"""Button payloads, built and parsed in one place.

A payload is a registered prefix and a fixed number of fields: `aud:student`, `ap:yes:42`.
Features declare each kind once (`ANSWER = Payload("qa", "attempt", "position", "option")`)
and use `make` and `parse`, never `split(":")`. Every payload fits Telegram's 64-byte
`callback_data` limit, checked when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit
SEPARATOR = ":"


class PayloadError(ValueError):
    """A payload that could not be built: a bug in the feature that builds it."""


@dataclass(frozen=True)
class Payload:
    """One kind of payload: its prefix and the names of its fields."""

    prefix: str
    fields: tuple[str, ...]
    registered: ClassVar[dict[str, Payload]] = {}

    def __init__(self, prefix: str, *fields: str) -> None:
        if not prefix or SEPARATOR in prefix:
            raise PayloadError(f"bad payload prefix {prefix!r}")
        known = Payload.registered.get(prefix)
        if known is not None and known.fields != fields:
            raise PayloadError(f"payload prefix {prefix!r} declared twice")
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "fields", fields)
        Payload.registered[prefix] = self

    def make(self, *values: str | int) -> str:
        """The payload for these field values, in the order of `fields`."""
        if len(values) != len(self.fields):
            raise PayloadError(f"{self.prefix}: expected {self.fields}, got {values!r}")
        parts = [str(v) for v in values]
        if any(SEPARATOR in part for part in parts):
            raise PayloadError(f"{self.prefix}: a field contains {SEPARATOR!r}: {parts!r}")
        payload = SEPARATOR.join([self.prefix, *parts])
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"payload over {MAX_PAYLOAD_BYTES} bytes: {payload!r}")
        return payload

    def parse(self, payload: str) -> tuple[str, ...] | None:
        """The field values of a payload of this kind, or None if it is not one."""
        prefix, _, rest = payload.partition(SEPARATOR)
        if prefix != self.prefix:
            return None
        values = tuple(rest.split(SEPARATOR)) if self.fields else ()
        if not self.fields and rest:
            return None
        return values if len(values) == len(self.fields) else None

    def parse_int(self, payload: str, field: str) -> int | None:
        """One field as a whole number, or None when the payload or the field is not valid."""
        values = self.parse(payload)
        if values is None:
            return None
        value = values[self.fields.index(field)]
        return int(value) if value.isdecimal() and value.isascii() else None

    def is_kind(self, payload: str) -> bool:
        return self.parse(payload) is not None
