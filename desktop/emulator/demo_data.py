"""Seeded, realistic demo data for a trades company, as the API would send it.

Everything is a plain dict shaped like the API's JSON (timestamps as
``2025-02-18T14:30:00.000Z``, amounts as ``"150.00"`` strings, dates ``YYYY-MM-DD``),
so the emulator can serve it and benchmarks can feed it straight to the store.
The same seed gives the same people, jobs and ids; schedule dates sit around ``now``.
Generation is table-driven and avoids per-record datetime work, because benchmarks
ask for 100,000 jobs at a time.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from desktop.core.jobs import JOB_FIELDS

from .clock import format_timestamp

_DAY: Final = 86_400.0

# (title, description, lowest estimate, highest estimate), by trade
_WORK: Final = (
    # plumbing
    ("Leaking kitchen faucet",
     "Steady drip from the kitchen faucet; cartridge likely worn. Bring Moen and Delta "
     "cartridges.", 150, 350),
    ("Water heater not heating",
     "40-gallon gas water heater, no hot water since yesterday. Check pilot and "
     "thermocouple; quote replacement if the tank is leaking.", 180, 2400),
    ("Clogged main sewer line",
     "Several drains backing up in the basement. Snake the main from the outside "
     "cleanout; camera inspection if it clogs again.", 250, 900),
    ("Toilet runs constantly",
     "Upstairs hall bath toilet keeps running. Replace fill valve and flapper.", 125, 275),
    ("Burst pipe in crawlspace",
     "Customer shut off the main. Copper line split near the north wall.", 400, 1800),
    ("Install garbage disposal",
     "Customer-supplied 1/2 HP disposal; haul away the old unit.", 175, 400),
    ("Sump pump replacement",
     "Pump cycles constantly and grinds. Quote a replacement with battery backup.",
     450, 1400),
    ("Tankless water heater flush",
     "Annual descaling of the Rinnai tankless unit in the garage.", 150, 275),
    ("Low water pressure",
     "Low pressure at every fixture. Check the PRV at the meter.", 150, 650),
    # HVAC
    ("AC not cooling",
     "Upstairs system blowing warm air. Check capacitor and refrigerant charge.", 150, 1200),
    ("Furnace tune-up",
     "Clean burners, inspect heat exchanger, replace 16x25x1 filter.", 99, 189),
    ("No heat - furnace won't ignite",
     "Igniter glows but burners don't light. Elderly occupant, keep them warm.", 150, 950),
    ("Install smart thermostat",
     "Replace the old round thermostat with the customer's ecobee; check for a C-wire.",
     150, 325),
    ("Heat pump maintenance",
     "Spring service: clean coils, check defrost board, test the reversing valve.", 129, 249),
    ("Rooms at the back stay warm",
     "Back bedrooms 6-8 degrees warmer. Inspect attic ductwork for disconnects.", 150, 1600),
    ("Mini-split installation",
     "Install a 12k BTU ductless unit in the detached garage office.", 3200, 5800),
    ("Condensate line clogged",
     "Water pooling around the attic air handler. Clear the line, add a float switch.",
     150, 350),
    ("Replace blower motor",
     "Blower hums but does not spin. 1/2 HP three-speed motor.", 450, 1100),
    # electrical
    ("Breaker keeps tripping",
     "Kitchen circuit trips when the microwave and toaster run together.", 125, 650),
    ("Install EV charger",
     "Level 2 charger in the garage on a new 60 A circuit; 200 A panel with open slots.",
     900, 2200),
    ("Panel upgrade 100A to 200A",
     "Old Federal Pacific panel. Coordinate the utility disconnect and permit.", 2400, 4800),
    ("Outlets dead in bedroom",
     "Three outlets dead on the east wall; resetting the GFCI did not help.", 125, 450),
    ("Install ceiling fan",
     "Swap the living room light for the customer's fan; the box may need bracing.",
     175, 450),
    ("Outdoor lighting repair",
     "Landscape lights on the timer stopped working after the storm.", 150, 600),
    ("Whole-house surge protector",
     "Install surge protection at the main panel.", 350, 750),
    ("Flickering lights",
     "Lights flicker through the house when the AC starts. Check the neutral.", 150, 900),
    ("Add GFCI outlets in bathrooms",
     "Bring two bathrooms up to code with GFCI protection.", 200, 500),
    ("Generator hookup",
     "Install a transfer switch and inlet for the portable generator.", 1100, 2600),
)
_TITLE_SUFFIXES: Final = ("", "", "", "", "", " - follow-up", " - second visit", " (warranty)")

_STATUS_WEIGHTS: Final = (
    ("New", 12), ("Contacted", 8), ("Scheduled", 18), ("In Progress", 6),
    ("Needs Approval", 4), ("Ready to Invoice", 5), ("Invoiced", 10), ("Complete", 25),
    ("Estimate Sent", 7), ("Estimate Approved", 5),
)
_PRIORITY_WEIGHTS: Final = (("Low", 15), ("Normal", 60), ("High", 20), ("Emergency", 5))

# status -> (chance of being unscheduled, first day, last day) relative to today
_SCHEDULE: Final = {
    "New": (0.7, 1, 21),
    "Contacted": (0.5, 1, 14),
    "Estimate Sent": (0.6, 3, 28),
    "Estimate Approved": (0.3, 1, 28),
    "Scheduled": (0.0, 0, 28),
    "In Progress": (0.0, -3, 0),
    "Needs Approval": (0.0, -7, -1),
    "Ready to Invoice": (0.0, -14, -1),
    "Invoiced": (0.0, -45, -2),
    "Complete": (0.0, -90, -3),
}
_STARTED: Final = frozenset(
    {"In Progress", "Needs Approval", "Ready to Invoice", "Invoiced", "Complete"}
)
_COMPLETED: Final = frozenset({"Ready to Invoice", "Invoiced", "Complete"})
_INVOICED: Final = frozenset({"Invoiced", "Complete"})

_INTERNAL_NOTES: Final = (
    "Gate code 4412.", "Dog in the backyard - call before going around back.",
    "Park on the street; the driveway is being resealed.", "Customer prefers text messages.",
    "Bring shoe covers.", "Tenant-occupied; landlord approves anything over $500.",
    "Check warranty status before quoting.", "Attic access is in the garage.",
)
_CUSTOMER_NOTES: Final = (
    "Please call 30 minutes before arrival.", "Side entrance is unlocked.",
    "Please text when you are on the way.", "Mornings work best for us.",
    "Thank you for coming out so quickly!",
)

_FIRST_NAMES: Final = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra",
    "Mark", "Ashley", "Steven", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin",
    "Carol", "Brian", "Amanda", "George", "Melissa", "Luis", "Maria", "Carlos", "Ana",
    "Wei", "Mei", "Raj", "Priya", "Tyrone", "Keisha",
)
_LAST_NAMES: Final = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Patel",
)
_BUSINESS_NAMES: Final = (
    "Oak Street Dental", "Riverside Cafe", "Summit Self Storage", "Lakeview Apartments LLC",
    "Bright Futures Daycare", "Main Street Hardware", "Cedar Ridge HOA",
    "Harbor Property Management", "Sunrise Bakery", "Northgate Animal Clinic",
    "Pioneer Fitness", "Maple Leaf Laundromat", "Greenway Office Park", "Copper Kettle Diner",
    "Evergreen Senior Living", "Blue Door Brewing Co.",
)
_STREETS: Final = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
    "Sunset", "Ridge", "Willow", "Highland", "Meadow", "River", "Spring", "Forest",
    "Jefferson", "Lincoln", "Madison", "Church", "Mill", "Walnut", "Chestnut", "Sycamore",
)
_STREET_KINDS: Final = ("St", "Ave", "Dr", "Ln", "Rd", "Ct", "Blvd", "Way", "Pl", "Cir")
_UNITS: Final = ("Apt 2B", "Unit 4", "Suite 200", "Apt 12", "Unit B", "Suite 110")
_EMAIL_DOMAINS: Final = ("example.com", "example.net", "example.org")

# metro -> (timezone, [(city, state, zip prefix, area code)])
_METROS: Final = (
    ("America/Chicago", (("Austin", "TX", "787", "512"), ("Round Rock", "TX", "786", "512"),
                         ("Pflugerville", "TX", "786", "512"), ("Cedar Park", "TX", "786", "512"),
                         ("Georgetown", "TX", "786", "737"))),
    ("America/Denver", (("Denver", "CO", "802", "303"), ("Aurora", "CO", "800", "720"),
                        ("Lakewood", "CO", "802", "303"), ("Arvada", "CO", "800", "720"),
                        ("Littleton", "CO", "801", "303"))),
    ("America/New_York", (("Columbus", "OH", "432", "614"), ("Dublin", "OH", "430", "614"),
                          ("Westerville", "OH", "430", "614"), ("Hilliard", "OH", "430", "614"),
                          ("Grove City", "OH", "431", "614"))),
)
_COMPANY_NAMES: Final = (
    "Summit Plumbing, Heating & Electric", "Blue Ribbon Home Services",
    "Reliable Trades Co.", "Cornerstone Mechanical", "All Seasons Comfort & Power",
)


@dataclass(frozen=True)
class DemoData:
    """One company's world: its offices, technicians, customers and jobs."""

    company: dict[str, Any]
    location_uuids: list[str]
    technician_ids: list[str]
    customers: list[dict[str, Any]]
    jobs: list[dict[str, Any]]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cycle collector while building many acyclic records.

    Every few thousand new dicts it would otherwise walk the whole heap again, which
    costs more than building the records (about 40% of 100,000 jobs in a test run).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate(
    *, jobs: int, customers: int, seed: int, now: datetime | None = None
) -> DemoData:
    """A whole demo company; ``customers`` is raised to 1 when there are jobs."""
    now = now or datetime.now(UTC)
    company = make_company(seed=seed, now=now)
    location_uuids = make_location_uuids(seed=seed)
    technician_ids = make_technician_ids(seed=seed)
    people = make_customers(max(customers, 1 if jobs else 0), seed=seed, now=now)
    work = make_jobs(
        jobs, people, seed=seed, now=now,
        location_uuids=location_uuids, technician_ids=technician_ids,
    )
    return DemoData(company, location_uuids, technician_ids, people, work)


_V4_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET: Final = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """A random version-4 UUID drawn from ``rng``, so ids follow the seed."""
    digits = f"{(rng.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _metro(seed: int) -> tuple[str, tuple[tuple[str, str, str, str], ...]]:
    return _METROS[random.Random(f"metro:{seed}").randrange(len(_METROS))]


def make_company(*, seed: int, now: datetime) -> dict[str, Any]:
    rng = random.Random(f"company:{seed}")
    _timezone, cities = _metro(seed)
    city, state, zip_prefix, area = cities[0]
    name = rng.choice(_COMPANY_NAMES)
    created = format_timestamp(now - timedelta(days=900 + rng.randrange(900)))
    street = f"{rng.choice(_STREETS)} {rng.choice(_STREET_KINDS)}"
    # The fields of GET /companies/me: no timezone, the primary location has it.
    return {
        "uuid": _uuid(rng),
        "name": name,
        "email": "office@" + _EMAIL_DOMAINS[0],
        "phone": f"{area}-555-{rng.randrange(100, 200):04d}",
        "address_line_1": f"{rng.randrange(100, 9999)} {street}",
        "address_line_2": None,
        "city": city,
        "state": state,
        "postal_code": f"{zip_prefix}{rng.randrange(100):02d}",
        "country": "US",
        "created_at": created,
        "updated_at": created,
    }


def make_locations(uuids: list[str], *, seed: int, now: datetime) -> list[dict[str, Any]]:
    """The company's offices as ``GET /locations`` lists them; the first is primary."""
    rng = random.Random(f"offices:{seed}")
    timezone, cities = _metro(seed)
    created = format_timestamp(now - timedelta(days=900))
    offices = []
    for index, uuid in enumerate(uuids):
        city, state, zip_prefix, area = cities[index % len(cities)]
        offices.append({
            "uuid": uuid, "name": "Main office" if index == 0 else f"{city} branch",
            "location_code": f"LOC{index + 1}",
            "address1": f"{rng.randrange(100, 9999)} {rng.choice(_STREETS)} "
                        f"{rng.choice(_STREET_KINDS)}",
            "address2": None, "city": city, "state": state,
            "zip": f"{zip_prefix}{rng.randrange(100):02d}",
            "phone": f"{area}-555-{rng.randrange(200, 300):04d}", "timezone": timezone,
            "business_hours": {"mon-fri": "08:00-17:00"}, "is_primary": index == 0,
            "is_active": True, "created_at": created, "updated_at": created,
            "deleted_at": None,
        })
    return offices


def make_technicians(ids: list[str], *, seed: int) -> list[dict[str, Any]]:
    """The user each technician id stands for, as a job's nested assigned user."""
    rng = random.Random(f"technician-names:{seed}")
    users = []
    for user_id in ids:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        users.append({"id": user_id, "first_name": first, "last_name": last,
                      "email": f"{first}.{last}@{_EMAIL_DOMAINS[0]}".lower()})
    return users


def make_location_uuids(*, seed: int) -> list[str]:
    """The company's one to three offices."""
    rng = random.Random(f"locations:{seed}")
    return [_uuid(rng) for _ in range(rng.randint(1, 3))]


def make_technician_ids(*, seed: int) -> list[str]:
    """User ids of the company's field technicians (the API cannot name them)."""
    rng = random.Random(f"technicians:{seed}")
    return [_uuid(rng) for _ in range(rng.randint(4, 8))]


def _address(rng: random.Random, cities: tuple[tuple[str, str, str, str], ...]) -> tuple[
    str, str | None, str, str, str, str
]:
    city, state, zip_prefix, area = rng.choice(cities)
    line1 = f"{rng.randrange(100, 9999)} {rng.choice(_STREETS)} {rng.choice(_STREET_KINDS)}"
    line2 = rng.choice(_UNITS) if rng.random() < 0.1 else None
    return line1, line2, city, state, f"{zip_prefix}{rng.randrange(100):02d}", area


@_collector_paused()
def make_customers(count: int, *, seed: int, now: datetime) -> list[dict[str, Any]]:
    """Residential and commercial customers; every 20th one is soft-deleted."""
    rng = random.Random(f"customers:{seed}")
    _, cities = _metro(seed)
    now_ts = now.timestamp()
    result: list[dict[str, Any]] = []
    for index in range(count):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        commercial = rng.random() < 0.2
        company_name = rng.choice(_BUSINESS_NAMES) if commercial else None
        line1, line2, city, state, zip_code, area = _address(rng, cities)
        domain = rng.choice(_EMAIL_DOMAINS)
        created_ts = now_ts - rng.uniform(30, 1500) * _DAY
        updated_ts = min(now_ts, created_ts + rng.uniform(0, 200) * _DAY)
        separate_billing = commercial and rng.random() < 0.5
        billing = _address(rng, cities) if separate_billing else (
            line1, line2, city, state, zip_code, area)
        deleted = index % 20 == 19
        flags: dict[str, Any] = {"gate_code": f"{rng.randrange(1000, 9999)}"} if (
            rng.random() < 0.1) else {}
        result.append({
            "uuid": _uuid(rng),
            "first_name": first,
            "last_name": last,
            "company_name": company_name,
            "email": f"{first.lower()}.{last.lower()}{rng.randrange(100)}@{domain}",
            "phone": f"{area}-555-{rng.randrange(100, 200):04d}",
            "customer_type": "Commercial" if commercial else "Residential",
            "is_vip": rng.random() < 0.08,
            "physical_address1": line1,
            "physical_address2": line2,
            "physical_city": city,
            "physical_state": state,
            "physical_zip": zip_code,
            "billing_address1": billing[0],
            "billing_address2": billing[1],
            "billing_city": billing[2],
            "billing_state": billing[3],
            "billing_zip": billing[4],
            "primary_service_location_uuid": None,
            "notes": rng.choice(_INTERNAL_NOTES) if rng.random() < 0.15 else None,
            "internal_flags": flags,
            "on_my_way_notify_via": rng.choice(("email", "sms", "both")),
            "created_at": _stamp(created_ts),
            "updated_at": _stamp(updated_ts),
            "deleted_at": _stamp(updated_ts) if deleted else None,
        })
    return result


_MINUTE_TEXT: Final = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECOND_TEXT: Final = tuple(f"{s:02d}." for s in range(60))
_MILLI_TEXT: Final = tuple(f"{ms:03d}Z" for ms in range(1000))
_day_text: dict[int, str] = {}


def _stamp(epoch: float) -> str:
    """``format_timestamp`` for epoch seconds, from lookup tables: 2x faster, and
    timestamps are most of the work of a 100,000-job batch."""
    day, rest = divmod(int(epoch * 1000), 86_400_000)
    prefix = _day_text.get(day)
    if prefix is None:
        prefix = _day_text[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat() + "T"
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    return prefix + _MINUTE_TEXT[minute] + _SECOND_TEXT[second] + _MILLI_TEXT[milli]


@_collector_paused()
def make_jobs(
    count: int,
    customers: list[dict[str, Any]],
    *,
    seed: int,
    now: datetime,
    location_uuids: list[str],
    technician_ids: list[str],
) -> list[dict[str, Any]]:
    """``count`` full job records numbered ``JOB-000001`` on in order of creation.

    Each carries the nested ``customer`` the API adds, every field of the Job object,
    and a consistent history: a completed job was scheduled, started and finished in
    the past, and ``updated_at`` is its latest event. About 2% are soft-deleted.
    """
    if count and not customers:
        raise ValueError("jobs need at least one customer")
    rng = random.Random(f"jobs:{seed}")
    # The loop below runs 100,000 times for benchmarks, so it avoids every call it
    # can: indexing with random() instead of rng.choice, conditional expressions
    # instead of min/max, and copying a per-customer template instead of building
    # a 31-key dict.
    rand = rng.random
    now_ts = now.timestamp()
    today = now.astimezone(UTC).date()
    midnight_ts = datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()
    day_text = {offset: (today + timedelta(days=offset)).isoformat() for offset in range(-100, 31)}
    window_text = [f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(0, 1440, 30)]
    drawn_statuses = rng.choices(
        [s for s, _ in _STATUS_WEIGHTS], [w for _, w in _STATUS_WEIGHTS], k=count
    )
    drawn_priorities = rng.choices(
        [p for p, _ in _PRIORITY_WEIGHTS], [w for _, w in _PRIORITY_WEIGHTS], k=count
    )
    templates = [_job_template(c) for c in customers]
    refs = [{k: c[k] for k in ("uuid", "first_name", "last_name")} for c in customers]
    history = {
        status: (*_SCHEDULE[status], status in _STARTED, status in _COMPLETED,
                 status in _INVOICED, status == "Complete")
        for status, _ in _STATUS_WEIGHTS
    }
    n_customers, n_work, n_suffixes = len(customers), len(_WORK), len(_TITLE_SUFFIXES)
    n_locations, n_technicians = len(location_uuids), len(technician_ids)
    n_internal, n_customer_notes = len(_INTERNAL_NOTES), len(_CUSTOMER_NOTES)
    unsorted: list[dict[str, Any]] = []
    created_at: list[float] = []
    for status, priority in zip(drawn_statuses, drawn_priorities, strict=True):
        pick = int(rand() * n_customers)
        job = templates[pick].copy()
        job["customer"] = refs[pick].copy()
        job["uuid"] = _uuid(rng)
        job["status"] = status
        job["priority"] = priority
        title, description, low, high = _WORK[int(rand() * n_work)]
        job["title"] = title + _TITLE_SUFFIXES[int(rand() * n_suffixes)]
        if rand() < 0.85:
            job["description"] = description
        if n_locations:
            job["location_uuid"] = location_uuids[int(rand() * n_locations)]
        if priority == "Emergency":
            job["is_emergency"] = True
            job["is_urgent"] = rand() < 0.5
        elif priority == "High":
            job["is_urgent"] = rand() < 0.5
        unscheduled, first_day, last_day, started, completed, invoiced, paid = history[status]
        day = 0
        if rand() >= unscheduled:
            day = first_day + int(rand() * (last_day - first_day + 1))
            job["scheduled_date"] = day_text[day]
            if n_technicians:
                job["assigned_to_user_id"] = technician_ids[int(rand() * n_technicians)]
            if rand() < 0.65:
                slot = 14 + int(rand() * 17)  # half-hour slots from 07:00 to 15:00
                job["scheduled_time_start"] = window_text[slot]
                job["scheduled_time_end"] = window_text[slot + 2 + 2 * int(rand() * 4)]
        anchor_ts = midnight_ts + day * _DAY + 8 * 3600
        created_ts = anchor_ts - (0.5 + 19.5 * rand()) * _DAY
        created_ts = created_ts if created_ts < now_ts - 60 else now_ts - 60
        updated_ts = created_ts + 60 + 7200 * rand()
        if started:
            event = anchor_ts + 3 * 3600 * rand()
            event = event if event < now_ts - 30 else now_ts - 30
            job["started_at"] = _stamp(event)
            if completed:
                event += 1800 + 5.5 * 3600 * rand()
                event = event if event < now_ts - 20 else now_ts - 20
                job["completed_at"] = _stamp(event)
                job["actual_amount"] = f"{low + (high - low) * rand():.2f}"
                if invoiced:
                    event += 600 + 3 * _DAY * rand()
                    event = event if event < now_ts - 10 else now_ts - 10
                    job["invoiced_at"] = _stamp(event)
                    if paid:
                        event += 3600 + 20 * _DAY * rand()
                        event = event if event < now_ts - 5 else now_ts - 5
                        job["paid_at"] = _stamp(event)
            updated_ts = updated_ts if updated_ts > event else event
        updated_ts = updated_ts if updated_ts < now_ts - 1 else now_ts - 1
        if rand() < 0.8:
            # Estimates are quoted in round $5 steps; actual amounts carry cents.
            job["estimated_amount"] = f"{low + 5 * int(rand() * ((high - low) // 5 + 1))}.00"
        if rand() < 0.3:
            job["internal_notes"] = _INTERNAL_NOTES[int(rand() * n_internal)]
        if rand() < 0.2:
            job["customer_notes"] = _CUSTOMER_NOTES[int(rand() * n_customer_notes)]
        job["created_at"] = _stamp(created_ts)
        job["updated_at"] = updated = _stamp(updated_ts)
        if rand() < 0.02:
            job["deleted_at"] = updated
        unsorted.append(job)
        created_at.append(created_ts)
    jobs = [unsorted[i] for i in sorted(range(count), key=created_at.__getitem__)]
    for number, job in enumerate(jobs, start=1):
        job["job_number"] = format_job_number(number)
    return jobs


def _job_template(customer: dict[str, Any]) -> dict[str, Any]:
    """A job of ``customer`` at its address with every other field empty, to copy."""
    template: dict[str, Any] = dict.fromkeys(JOB_FIELDS)
    template.update(
        customer_uuid=customer["uuid"],
        is_urgent=False,
        is_emergency=False,
        service_address1=customer["physical_address1"],
        service_address2=customer["physical_address2"],
        service_city=customer["physical_city"],
        service_state=customer["physical_state"],
        service_zip=customer["physical_zip"],
        customer=None,
    )
    return template


def format_job_number(number: int) -> str:
    return f"JOB-{number:06d}"
