"""Logging to a rotating file under the log dir, with API keys redacted.

Every record passes through ``Redactor`` before any handler formats it, so a key
that slips into an exception message or a URL never reaches the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_KEY_PATTERN = re.compile(r"ctc_(?:live|test)_[A-Za-z0-9_\-]+")
_secrets: set[str] = set()


def add_secret(secret: str | None) -> None:
    """Register a secret (an API key) that must never appear in a log line."""
    if secret and len(secret) >= 8:
        _secrets.add(secret)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[REDACTED]")
    return _KEY_PATTERN.sub("[REDACTED]", text)


class Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup_logging(log_file: Path, *, level: int = logging.INFO) -> None:
    """Send the app's log to ``log_file`` (rotated), redacting secrets."""
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    handler.addFilter(Redactor())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_jobdesk", False)]:
        root.removeHandler(old)
        old.close()
    handler._jobdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
