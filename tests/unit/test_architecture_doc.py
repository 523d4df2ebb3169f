"""docs/architecture.md names files, modules and tests as where each rule lives and
what proves it; every name must still lead somewhere, so the page cannot go stale
quietly when code moves or a test is renamed."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "architecture.md"
ROOTS = ("desktop", "tests", "bench", "docs")

#: A path from the repository's root, in backticks or not.
PATH = re.compile(r"(?<![\w/.])((?:desktop|tests|bench|docs)/[\w./*<>-]*[\w*>])")
#: What the page puts in backticks (a span may break across lines).
CODE = re.compile(r"`([^`]+)`")
#: A file named with the thing in it: `test_sync.py::test_x`, `store/mirror.py::f`.
FILE_AND_NAME = re.compile(r"^([\w/]+\.py)::(\w+)$")
#: A module and a name in it: `outbox.build`, `api.REQUEST_DEADLINE`.
MODULE_AND_NAME = re.compile(r"^([a-z_]+)\.(\w+)$")
#: Files the app writes, named like a module and a name: `sync.lock`, `jobdesk.log`.
FILE_KINDS = {"lock", "log", "pid", "ini", "json"}


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _sources() -> list[Path]:
    return [p for root in ROOTS[:3] for p in (REPO / root).rglob("*.py")
            if ".venv" not in p.parts]


def _defines(path: Path, name: str) -> bool:
    source = path.read_text(encoding="utf-8")
    return re.search(rf"^\s*(?:def|class)\s+{name}\b|^\s*{name}\s*[:=]", source,
                     re.MULTILINE) is not None


def _files_named(relative: str) -> list[Path]:
    """Files whose path ends with ``relative`` (a basename, or a tail like store/x.py)."""
    return [p for p in _sources() if p.as_posix().endswith("/" + relative)]


def test_every_path_the_page_names_exists() -> None:
    missing = []
    for path in sorted(set(PATH.findall(_text()))):
        if "*" in path or "<" in path:
            # A pattern (`tests/fixtures/schema-v*.sqlite3`): something must match it.
            pattern = re.sub(r"<[^>]*>", "*", path)
            if not list(REPO.glob(pattern)):
                missing.append(path)
        elif not (REPO / path).exists():
            missing.append(path)
    assert missing == []


def test_every_file_module_and_test_the_page_names_is_there() -> None:
    missing = []
    tests = [p for p in _sources() if p.name.startswith("test_")]
    for code in sorted({" ".join(span.split()) for span in CODE.findall(_text())}):
        if PATH.fullmatch(code):
            continue  # checked above
        if match := FILE_AND_NAME.match(code):
            relative, name = match.groups()
            if not any(_defines(p, name) for p in _files_named(relative)):
                missing.append(code)
        elif re.fullmatch(r"[\w/]+\.py", code):
            if not _files_named(code):
                missing.append(code)
        elif re.fullmatch(r"test_\w+", code):
            if not any(_defines(p, code) for p in tests):
                missing.append(code)
        elif ((match := MODULE_AND_NAME.match(code)) and match[2] not in FILE_KINDS
              and _files_named(f"{match[1]}.py")):
            module, name = match.groups()
            if not any(_defines(p, name) for p in _files_named(f"{module}.py")):
                missing.append(code)
    assert missing == []


def test_the_check_finds_a_name_that_is_not_there() -> None:
    assert PATH.findall("see `desktop/ui/nowhere.py` and tests/unit/.") == [
        "desktop/ui/nowhere.py", "tests/unit"]
    assert not (REPO / "desktop/ui/nowhere.py").exists()
    assert not any(_defines(p, "test_no_such_test") for p in _files_named("test_sync.py"))
    assert any(_defines(p, "test_offline_keeps_everything")
               for p in _files_named("test_sync.py"))
    assert _defines(next(iter(_files_named("core/store/outbox.py"))), "build")
