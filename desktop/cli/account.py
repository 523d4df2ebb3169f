"""`jobdesk config set server-url`, `jobdesk login`, `jobdesk status`.

Which CRM this device talks to and with which key. The key is checked with the
server, kept in the system keyring, and never printed. Where no keyring can keep it,
``login`` stores nothing, says to use ``JOBDESK_API_KEY`` or ``--key-file`` and exits
2; with ``--key-file`` it keeps the key in a file only the user can read.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from desktop.cli.context import Context, UsageError, print_json, printable
from desktop.config import (
    ENV_API_KEY,
    ENV_SERVER_URL,
    KEY_FILE_CAVEAT,
    KEY_FILE_CHOICE,
    KeyStoreUnavailable,
    Settings,
    forget_key_file,
    get_api_key,
    keep_in_file,
    kept_in_file,
    set_api_key,
)
from desktop.core.api import (
    ApiClient,
    ApiError,
    AuthError,
    NotFound,
    ServerUrlError,
    Usage,
    normalise_base_url,
)
from desktop.core.store import Store
from desktop.core.sync import LAST_SYNC_META, USAGE_META
from desktop.core.sync.engine import PAUSED_META
from desktop.logs import add_secret


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    config = sub.add_parser("config", help="change settings")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    setter = config_sub.add_parser("set", help="set a setting")
    setter.add_argument("name", choices=("server-url",))
    setter.add_argument("value", help="e.g. https://customtradescrm.com")
    setter.set_defaults(handler=_config_set)

    login = sub.add_parser(
        "login",
        help="check an API key with the server and keep it in the system keyring "
        "(reads the key from a hidden prompt, or one line of stdin)",
    )
    login.add_argument(
        "--key-file", action="store_true",
        help=f"{KEY_FILE_CHOICE}, where no system keyring can keep it. {KEY_FILE_CAVEAT}")
    login.set_defaults(handler=_login)

    status = sub.add_parser("status", help="server, whether a key is set, last known usage")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)


def resolve_server_url(ctx: Context) -> str:
    """The server to use (``JOBDESK_SERVER_URL`` over settings), normalised."""
    settings = Settings.load(ctx.paths)
    raw = settings.effective_server_url()
    if not raw:
        raise UsageError(
            "no server set: run `jobdesk config set server-url https://...` "
            f"or set {ENV_SERVER_URL}"
        )
    try:
        return normalise_base_url(raw)
    except ServerUrlError as exc:
        raise UsageError(str(exc)) from None


def usage_recorder(store: Store) -> Callable[[Usage], None]:
    """An ``on_usage`` callback that keeps the last usage in the store's meta."""
    return lambda usage: store.put_meta(USAGE_META, asdict(usage))


def _config_set(args: argparse.Namespace, ctx: Context) -> int:
    try:
        url = normalise_base_url(args.value)
    except ServerUrlError as exc:
        raise UsageError(str(exc)) from None
    settings = Settings.load(ctx.paths)
    settings.server_url = url
    settings.save(ctx.paths)
    print(f"server-url set to {url}")
    if os.environ.get(ENV_SERVER_URL):
        print(f"note: {ENV_SERVER_URL} is set and takes precedence", file=sys.stderr)
    return 0


def _read_key() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("API key (input hidden): ").strip()
    return sys.stdin.readline().strip()


def _login(args: argparse.Namespace, ctx: Context) -> int:
    url = resolve_server_url(ctx)
    key = _read_key()
    if not key:
        raise UsageError("no API key given")
    add_secret(key)
    try:
        with ApiClient(url, key, on_usage=usage_recorder(ctx.store)) as client:
            company = client.company()
    except AuthError as exc:
        raise UsageError(f"the server refused this API key: {exc.message}") from None
    except NotFound:
        print(f"jobdesk: {url} has no Custom Trades CRM API; check server-url", file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"jobdesk: could not check the key: {exc.message}", file=sys.stderr)
        return 1
    name = company.get("name") or company.get("company_name") or "your company"
    try:
        set_api_key(url, key)
    except KeyStoreUnavailable as exc:
        if not args.key_file:
            # 2, as for any setup the user must change: nothing was stored, and saying
            # "signed in" would only make the next sync fail with "no API key".
            print(
                f"jobdesk: the key works, but {exc}\n"
                f"For example, in your shell profile: export {ENV_API_KEY}=<your key>\n"
                f"Or run `jobdesk login --key-file` to {KEY_FILE_CHOICE.lower()}. "
                f"{KEY_FILE_CAVEAT}",
                file=sys.stderr,
            )
            return 2
        keep_in_file(ctx.paths, url, key)
        print(f"Signed in to {name} at {url}; no system keyring can keep the key here "
              f"({exc.reason}), so it is kept in {ctx.paths.key_file}, a file only you "
              f"can read. {KEY_FILE_CAVEAT}")
    else:
        # In the keyring now: a key file kept for want of one would only be a copy.
        forget_key_file(ctx.paths, url)
        print(f"Signed in to {name} at {url}; the key is kept in the system keyring.")
        if args.key_file:
            print("note: a system keyring keeps the key here, so no key file was written",
                  file=sys.stderr)
    if os.environ.get(ENV_API_KEY):
        print(f"note: {ENV_API_KEY} is set and takes precedence over the stored key",
              file=sys.stderr)
    return 0


def _status(args: argparse.Namespace, ctx: Context) -> int:
    raw = Settings.load(ctx.paths).effective_server_url()
    url, url_error = raw or None, None
    if raw:
        try:
            url = normalise_base_url(raw)
        except ServerUrlError as exc:
            url_error = str(exc)
    key_source = None
    if os.environ.get(ENV_API_KEY):
        key_source = "env"
    elif url and not url_error and get_api_key(url, ctx.paths):
        key_source = "file" if kept_in_file(ctx.paths, url) else "keyring"
    report: dict[str, Any] = {
        "server_url": url,
        "server_url_source": ("env" if os.environ.get(ENV_SERVER_URL) else "settings")
        if raw else None,
        "server_url_error": url_error,
        "api_key_set": key_source is not None,
        "api_key_source": key_source,
        "usage": _last_usage(ctx.store),
        "sync": _last_sync(ctx.store),
    }
    if args.json:
        print_json(report)
    else:
        _print_status(report)
    return 0


def _last_sync(store: Store) -> dict[str, Any] | None:
    """How the last cycle ended, and when sync resumes if the month is spent."""
    last = store.get_meta(LAST_SYNC_META)
    if not isinstance(last, dict):
        return None
    paused = store.get_meta(PAUSED_META)
    return {"status": last.get("status"), "message": last.get("message"),
            "finished_at": last.get("finished_at"),
            "paused_until": paused.get("resets_at") if isinstance(paused, dict) else None}


def _last_usage(store: Store) -> dict[str, Any] | None:
    stored = store.get_meta(USAGE_META)
    try:
        return asdict(Usage(**stored)) if isinstance(stored, dict) else None
    except TypeError:  # written by another version with other fields
        return None


def _print_status(report: dict[str, Any]) -> None:
    server = report["server_url"]
    if server is None:
        print("server:  not set (jobdesk config set server-url URL)")
    else:
        print(f"server:  {server} (from {report['server_url_source']})")
    if report["server_url_error"]:
        print(f"         unusable: {report['server_url_error']}")
    if report["api_key_set"]:
        where = {"env": "environment", "file": "key file"}.get(report["api_key_source"],
                                                                "system keyring")
        print(f"api key: set ({where})")
    else:
        print(f"api key: not set (jobdesk login, or set {ENV_API_KEY})")
    sync = report["sync"]
    if sync is None:
        print("sync:    never run here")
    elif sync["paused_until"]:
        print(f"sync:    paused until {sync['paused_until']}: the company's requests for "
              "the month are spent (jobdesk sync --force sends one probe)")
    else:
        print(f"sync:    {sync['status']} at {sync['finished_at']}: "
              f"{printable(sync['message'] or '')}")
    usage = report["usage"]
    if usage is None:
        print("usage:   unknown until the first request")
    else:
        print(f"usage:   {usage['count']:,} of {usage['limit']:,} requests this month "
              f"(resets {usage['resets_at']})")
