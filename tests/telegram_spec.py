"""Checks Bot API calls against the official spec (`telegram-bot-api-10.0.json`).

Every method, parameter and object field is looked up in the spec: unknown names, missing
required fields and wrong types are violations. The limits the spec states only in prose
(callback data 1-64 bytes, text 1-4096 characters, captions, command names...) are added
by hand below.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "specs" / "telegram-bot-api-10.0.json"
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
TEXT_LIMITS = {"text": (1, 4096), "caption": (0, 1024)}


def spec_path() -> Path:
    return Path(os.environ.get("TELEGRAM_SPEC_PATH") or DEFAULT_SPEC)


class Spec:
    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = data["version"]
        self.methods: dict[str, dict[str, Any]] = {k.lower(): v for k, v in data["methods"].items()}
        self.types: dict[str, dict[str, Any]] = data["types"]

    def method(self, name: str) -> dict[str, Any] | None:
        return self.methods.get(name.lower())

    def decode(self, method: str, name: str, raw: str) -> Any:
        """A form field's value: strings stay strings, everything else is JSON-encoded."""
        fields = {f["name"]: f for f in (self.method(method) or {}).get("fields", [])}
        types = fields[name]["types"] if name in fields else []
        if types and all(t == "String" for t in types):
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    def check_call(self, method: str, params: Mapping[str, Any], files: set[str]) -> list[str]:
        spec = self.method(method)
        if spec is None:
            return [f"{method}: no such method in {self.version}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        errors = [f"{method}: unknown parameter {n!r}" for n in params if n not in fields]
        errors += [
            f"{method}: required parameter {n!r} missing"
            for n, f in fields.items()
            if f["required"] and n not in params and n not in files
        ]
        for name, value in params.items():
            if name in fields:
                errors += self.check(f"{method}.{name}", value, fields[name]["types"], files)
        return errors + method_rules(method, params)

    def check(self, path: str, value: Any, types: list[str], files: set[str]) -> list[str]:
        """No errors if the value matches one of the types."""
        best: list[str] | None = None
        for type_name in types:
            errors = self._check_one(path, value, type_name, files)
            if not errors:
                return []
            if best is None or len(errors) < len(best):
                best = errors
        return best or [f"{path}: no type"]

    def _check_one(self, path: str, value: Any, type_name: str, files: set[str]) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name.removeprefix("Array of ")
            return [
                e
                for i, item in enumerate(value)
                for e in self.check(f"{path}[{i}]", item, [inner], files)
            ]
        simple = {
            "Integer": isinstance(value, int) and not isinstance(value, bool),
            "Float": isinstance(value, int | float) and not isinstance(value, bool),
            "Boolean": isinstance(value, bool),
            "True": value is True,
            "String": isinstance(value, str),
            "InputFile": isinstance(value, str) and value.startswith("attach://"),
        }
        if type_name in simple:
            ok = simple[type_name]
            return [] if ok else [f"{path}: expected {type_name}, got {value!r:.60}"]
        return self._check_object(path, value, type_name, files)

    def _check_object(self, path: str, value: Any, type_name: str, files: set[str]) -> list[str]:
        spec = self.types.get(type_name)
        if spec is None:
            return [f"{path}: unknown type {type_name}"]
        if spec.get("subtypes"):
            return self.check(path, value, spec["subtypes"], files)
        if not isinstance(value, dict):
            return [f"{path}: expected a {type_name} object, got {value!r:.60}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        errors = [f"{path}: {type_name} has no field {n!r}" for n in value if n not in fields]
        errors += [
            f"{path}: {type_name}.{n} missing"
            for n, f in fields.items()
            if f["required"] and n not in value
        ]
        for name, item in value.items():
            if name in fields:
                errors += self.check(f"{path}.{name}", item, fields[name]["types"], files)
        if type_name == "BotCommandScopeDefault" and value.get("type") != "default":
            errors.append(f"{path}: not a default scope")
        return errors + object_rules(path, type_name, value)


def object_rules(path: str, type_name: str, value: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    if type_name.startswith("BotCommandScope") and "type" in value:
        expected = re.sub(r"(?<!^)(?=[A-Z])", "_", type_name.removeprefix("BotCommandScope"))
        if value["type"] != expected.lower():
            errors.append(f"{path}: type {value['type']!r} is not {expected.lower()!r}")
    if type_name == "InlineKeyboardButton":
        actions = [a for a in BUTTON_ACTIONS if a in value]
        if len(actions) != 1:
            errors.append(f"{path}: a button needs exactly one action, has {actions}")
        data = value.get("callback_data")
        if isinstance(data, str) and not 1 <= len(data.encode()) <= 64:
            errors.append(f"{path}: callback_data is {len(data.encode())} bytes (1-64)")
    if type_name in ("InlineKeyboardButton", "KeyboardButton") and not value.get("text"):
        errors.append(f"{path}: a button needs a text")
    if type_name == "BotCommand":
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(value.get("command", ""))):
            errors.append(f"{path}: command {value.get('command')!r} (1-32 of a-z, 0-9, _)")
        if not 1 <= len(str(value.get("description", ""))) <= 256:
            errors.append(f"{path}: description must be 1-256 characters")
    return errors


def method_rules(method: str, params: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    for name, (low, high) in TEXT_LIMITS.items():
        value = params.get(name)
        if (
            isinstance(value, str)
            and not low <= len(value) <= high
            and method != "answerCallbackQuery"
        ):
            errors.append(f"{method}.{name}: {len(value)} characters ({low}-{high})")
    if method == "answerCallbackQuery" and len(str(params.get("text", ""))) > 200:
        errors.append("answerCallbackQuery.text: over 200 characters")
    if method == "setMyCommands" and len(params.get("commands") or []) > 100:
        errors.append("setMyCommands: over 100 commands")
    code = params.get("language_code")
    if code is not None and not re.fullmatch(r"([a-z]{2})?", str(code)):
        errors.append(f"{method}.language_code: {code!r} is not a two-letter ISO 639-1 code")
    if method.startswith("editMessage"):
        by_chat = "chat_id" in params and "message_id" in params
        if by_chat == ("inline_message_id" in params):
            errors.append(f"{method}: needs chat_id and message_id, or inline_message_id")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        errors.append(f"{method}.secret_token: 1-256 of A-Z, a-z, 0-9, _ and -")
    if method == "getUpdates" and not 1 <= int(params.get("limit", 100)) <= 100:
        errors.append("getUpdates.limit: 1-100")
    return errors
