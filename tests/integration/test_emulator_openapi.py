"""Fuzz the emulator against the vendor's API as described in resources/openapi.yaml.

Whatever arrives (wrong types, nulls, unknown fields, odd methods, huge numbers,
garbage headers), the emulator must never answer 5xx, every answer must fit the
documented schema (status, content type, headers, body), and data that breaks the
documented rules must be refused with a 4xx. It runs twice: with the documented
defaults and with the response-shape variants flipped the other way. (Ignoring
``Idempotency-Key`` is left out of the fuzz: such a server does not check the header,
so a bad key is accepted there by design; test_emulator.py covers that variant.)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from desktop.emulator import Emulator

SPEC = Path(__file__).resolve().parents[2] / "resources" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module", params=["documented", "flipped"])
def emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with Emulator(jobs=60, customers=20, seed=7) as emu:
        if request.param == "flipped":
            emu.variants.list_order = "updated_desc"
            emu.variants.summary_items = True
            emu.variants.wrap_single_job = True
            emu.variants.amounts_as_strings = True
        yield emu


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def _unique_idempotency_key(case: schemathesis.Case[Any]) -> None:
    """Give a valid generated key a unique value: the fuzzer reuses a few values, and a
    replay (documented, and tested on its own) would hide what the request deserves."""
    if not case.headers:
        return
    key = case.headers.get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 255 and all(" " <= ch <= "~" for ch in key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


def _aim_at_real_records(case: schemathesis.Case[Any], emu: Emulator) -> None:
    """Point most valid cases at existing jobs and customers, so success answers are
    exercised too (random UUIDs would only ever find 404s and unknown customers)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    rng = random.Random(repr((case.path_parameters, case.body)))
    if rng.random() < 0.3:
        return
    if case.path_parameters and "uuid" in case.path_parameters:
        pool = emu.all_jobs(include_deleted=False) if "/jobs" in case.path else emu.customers()
        if pool:
            case.path_parameters["uuid"] = rng.choice(pool)["uuid"]
    if isinstance(case.body, dict) and "customer_uuid" in case.body:
        live = emu.customers(include_deleted=False)
        case.body["customer_uuid"] = rng.choice(live)["uuid"]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_emulator_matches_documented_api(
    case: schemathesis.Case[Any], emulator: Emulator, session: requests.Session
) -> None:
    _unique_idempotency_key(case)
    _aim_at_real_records(case, emulator)
    case.call_and_validate(
        base_url=emulator.url,
        session=session,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        checks=CHECKS,
    )
