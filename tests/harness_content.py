"""Reading and writing the content's YAML in tests, with libyaml (the pure-Python loader and
dumper take about 20x as long, and some tests rewrite the 100 KB tips file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse_yaml(text: str | bytes) -> Any:
    return yaml.load(text, Loader=LOADER)


def read_yaml(path: Path) -> Any:
    return parse_yaml(path.read_bytes())


def dump_yaml(data: Any) -> str:
    """YAML text as a person would write it: UTF-8 letters, keys in their order."""
    text: str = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    return text


def write_yaml(path: Path, data: Any) -> None:
    path.write_text(dump_yaml(data), encoding="utf-8")


def rewrite(path: Path, change: Callable[[Any], object]) -> Path:
    """Loads one YAML file, changes the data, writes it back (PyYAML quotes "on" itself)."""
    data = read_yaml(path)
    change(data)
    write_yaml(path, data)
    return path
