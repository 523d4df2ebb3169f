"""A faithful local Custom Trades CRM API v1, served over real HTTP on loopback.

It is how the app is demonstrated, how sync is tested and how sync is benchmarked:
everything the vendor documents is honoured (endpoints, filters, paging, validation,
auth, the monthly usage quota, idempotent replays) and everything it leaves open is a
switch (``Variants``), so the client is tested against every plausible server.
Tests can also script failures (``Faults``), act as a colleague editing jobs,
shift the clock, and inspect usage and the request log.

Why the stdlib ``ThreadingHTTPServer`` rather than an ASGI stack (Starlette + uvicorn):

- no new dependency, and nothing between the socket and our code;
- in-process start and stop in milliseconds, on a free port, from any thread, with
  no event loop to own;
- direct control of the connection, so faults can drop the socket before or after
  processing exactly as a flaky network or a crashing proxy would;
- a thread per connection holds 50 concurrent clients with room to spare; each
  request is a couple of milliseconds of CPU-bound work under one lock, where an
  event loop would buy nothing.

Quick use::

    with Emulator(jobs=200, seed=1) as emu:
        httpx.get(f"{emu.url}/jobs", headers={"Authorization": f"Bearer {emu.api_key}"})
"""

from .clock import Clock, format_timestamp
from .demo_data import DemoData, generate
from .emulator import Emulator
from .faults import Faults
from .keys import generate_api_key
from .server import LoggedRequest
from .standalone import run_standalone
from .usage import DEFAULT_MONTHLY_LIMIT, LIMIT_MESSAGE
from .variants import BARE_FIELDS, LIST_SHAPES, SUMMARY_FIELDS, ListShape, Variants

__all__ = [
    "BARE_FIELDS",
    "DEFAULT_MONTHLY_LIMIT",
    "LIMIT_MESSAGE",
    "LIST_SHAPES",
    "SUMMARY_FIELDS",
    "Clock",
    "DemoData",
    "Emulator",
    "Faults",
    "ListShape",
    "LoggedRequest",
    "Variants",
    "format_timestamp",
    "generate",
    "generate_api_key",
    "run_standalone",
]
