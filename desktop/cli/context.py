"""What every command handler gets: the paths and a lazily opened store."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from desktop.config import Paths
from desktop.core.store import Store


class UsageError(ValueError):
    """Bad command-line input; printed as one line, exit code 2."""


@dataclass
class Context:
    paths: Paths
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.paths.database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# Text from the server or an old mirror may hold escape sequences that recolour,
# retitle or clear the terminal; tabs and new lines are dealt with separately.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` without control characters, safe to print on a terminal; tabs and
    new lines become spaces unless ``keep_lines``."""
    text = text.replace("\r\n", "\n")
    if not keep_lines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _UNPRINTABLE.sub("", text)
