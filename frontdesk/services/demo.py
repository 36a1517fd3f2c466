"""The demo practice, and the generator the benchmark uses to build a much bigger one.

Everything is synthetic and deterministic (seeded ``random.Random``). Every appointment obeys
the rules the booking service enforces — inside the provider's template at that location,
outside closures, one visit per provider and per room at a time counting buffers — because the
database refuses anything else, and a demo that breaks its own rules would teach nothing.
Appointments are planned in memory (an occupancy map per room, a cursor per provider) and then
inserted in batches with SQLAlchemy core, so a 200,000-row database builds in a few minutes.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session, run_write
from frontdesk.db.models import (
    Appointment,
    Closure,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
    VisitType,
)
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.model import (
    ClosureSpec,
    Interval,
    ProviderKind,
    Role,
    RoomKind,
    Status,
    TemplateSpec,
)
from frontdesk.services.accounts import passwords
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES, install_visit_types
from frontdesk.services.context import Context
from frontdesk.services.demo_content import (
    AWAY_DAYS,
    BLOCKS,
    BOOKING_REASONS,
    BYDAY,
    CANCEL_REASONS,
    DEMO_STAFF,
    FIRST,
    GIVEN,
    HOME_DAYS,
    LAST,
    LEVELS,
    MAX_PHONES,
    MIX,
    OTHER_BOOKING_REASONS,
    OVERRIDE_REASONS,
    OVERRIDE_RULES,
    PAYERS,
    PLACES,
    PROVIDER_SURNAMES,
    TIME_OFF,
    UNBOOKED_OUTCOMES,
    UNBOOKED_REASONS,
    demo_password,
)
from frontdesk.services.errors import InvalidInput
from frontdesk.services.holidays import install_practice_holidays, local_day_bounds

ZONE = "America/Chicago"
ACTIVITY_DAYS = 21  # calls and payer-rule overrides: only the last three weeks
Progress = Callable[[str], None]

@dataclass(frozen=True)
class DemoSummary:
    """What a seeding wrote: counts and the covered dates."""

    locations: int
    rooms: int
    providers: int
    staff: int
    patients: int
    templates: int
    closures: int
    appointments: int
    first_day: date
    last_day: date


# --------------------------------------------------------------------------- public


def has_data(ctx: Context) -> bool:
    """True once any location exists: the demo never goes into a practice's database."""
    with read_session(ctx.engine) as session:
        return session.exec(select(Location.id).limit(1)).first() is not None


def seed_demo(ctx: Context, *, today: date | None = None, seed: int = 2027) -> DemoSummary:
    """Fill an empty database with the demo practice around ``today`` (Tulsa's date now)."""
    return build_practice(ctx, today=today, seed=seed)


def build_practice(
    ctx: Context,
    *,
    today: date | None = None,
    seed: int = 2027,
    locations: int = 5,
    providers: int = 10,
    patients: int = 200,
    days_back: int = 28,
    days_ahead: int = 42,
    fill: float = 0.7,
    min_appointments: int = 0,
    progress: Progress | None = None,
) -> DemoSummary:
    """A synthetic practice of the given size, with appointments from ``days_back`` days before
    ``today`` to ``days_ahead`` after, about ``fill`` of template time booked.

    One transaction: all or nothing. ``min_appointments`` raises the fill (up to 0.9) when the
    first plan comes out short, for the benchmark's row-count target.
    """
    _check_sizes(locations, providers, patients, days_back, days_ahead, fill)
    day = today or ctx.now().astimezone(ZoneInfo(ZONE)).date()
    say = progress or (lambda _text: None)

    def work(session: Session) -> DemoSummary:
        if session.exec(select(Location.id).limit(1)).first() is not None:
            raise InvalidInput("db", "this database already has a practice; the demo goes "
                               "only into an empty database (use its own file, e.g. --demo)")
        builder = _Builder(session, ctx, today=day, seed=seed, days_back=days_back,
                           days_ahead=days_ahead, say=say)
        builder.practice(locations, providers, patients)
        share = fill
        rows = builder.plan(share)
        while len(rows) < min_appointments and share < 0.9:
            share = min(0.9, share * min_appointments / max(len(rows), 1) * 1.05)
            say(f"{len(rows):,} planned is short of {min_appointments:,}; fill {share:.2f}")
            rows = builder.plan(share)
        builder.insert(rows)
        builder.relief_follow_up()
        builder.desk_activity()
        return builder.finish(len(rows))

    return run_write(ctx.engine, work)


def _check_sizes(locations: int, providers: int, patients: int, back: int, ahead: int,
                 fill: float) -> None:
    if not 1 <= locations <= len(PLACES):
        raise InvalidInput("locations", f"must be between 1 and {len(PLACES)}")
    if providers < 3:
        raise InvalidInput("providers", "must be at least 3 (one of each kind)")
    if not 1 <= patients <= MAX_PHONES:
        raise InvalidInput("patients", f"must be between 1 and {MAX_PHONES}")
    if back < 0 or ahead < 0:
        raise InvalidInput("days", "days back and ahead cannot be negative")
    if not 0 < fill < 1:
        raise InvalidInput("fill", "must be between 0 and 1")


_DEMO_HASHES: dict[tuple[str, str], str] = {}


def _demo_hash(username: str) -> str:
    """The argon2 hash of a demo password, made once per process: the passwords are published
    anyway, and the tests seed the demo dozens of times (each hash costs about 0.1 s)."""
    hasher = passwords.PASSWORD_HASHER
    key = (username, repr((hasher.time_cost, hasher.memory_cost, hasher.parallelism,
                           hasher.hash_len, hasher.salt_len, hasher.type)))
    if key not in _DEMO_HASHES:
        _DEMO_HASHES[key] = hasher.hash(demo_password(username))
    return _DEMO_HASHES[key]


# --------------------------------------------------------------------------- the practice


@dataclass(frozen=True)
class _Who:
    id: int
    kind: ProviderKind
    codes: tuple[str, ...]


@dataclass(frozen=True)
class _Kind:
    id: int
    code: str
    duration: timedelta
    before: timedelta
    after: timedelta
    room_kind: RoomKind
    is_procedure: bool


def _kinds(count: int) -> list[ProviderKind]:
    physicians = max(1, round(count * 0.5))
    therapists = max(1, round(count * 0.2))
    apps = max(1, count - physicians - therapists)
    physicians = count - therapists - apps
    return ([ProviderKind.PHYSICIAN] * physicians + [ProviderKind.APP] * apps
            + [ProviderKind.THERAPIST] * therapists)


def _weekly(kinds: Sequence[ProviderKind], locations: int) -> list[dict[int, int]]:
    """Weekday -> location index per provider: home three days, away two, never two places."""
    massage = _massage_sites(kinds.count(ProviderKind.THERAPIST), locations)
    out: list[dict[int, int]] = []
    counters: dict[ProviderKind, int] = defaultdict(int)
    for kind in kinds:
        n = counters[kind]
        counters[kind] += 1
        if kind is ProviderKind.THERAPIST:
            home, away = massage[n % len(massage)], massage[(n + 1) % len(massage)]
        elif kind is ProviderKind.PHYSICIAN:
            home, away = n % locations, (n + 1) % locations
        else:
            home = (n + locations // 2) % locations
            away = (home + 2) % locations
        out.append({d: home for d in HOME_DAYS} | {d: away for d in AWAY_DAYS})
    return out


def _massage_sites(therapists: int, locations: int) -> list[int]:
    order = sorted(range(locations), key=lambda i: (i % 3 == 2, i))
    return order[: max(1, min(locations, math.ceil(therapists * 1.5)))]


def _large(locations: int) -> int:
    return max(1, math.ceil(locations * 0.6))


def _rooms(kinds: Sequence[ProviderKind], weekly: Sequence[dict[int, int]],
           locations: int) -> list[list[tuple[str, RoomKind]]]:
    """Rooms per location, sized so the providers there on the busiest weekday fit."""
    peak: dict[tuple[int, str], int] = defaultdict(int)
    for d in range(5):
        here: dict[tuple[int, str], int] = defaultdict(int)
        for kind, days in zip(kinds, weekly, strict=True):
            group = "massage" if kind is ProviderKind.THERAPIST else "exam"
            here[days[d], group] += 1
            if kind is ProviderKind.PHYSICIAN:
                here[days[d], "doctor"] += 1
        for key, count in here.items():
            peak[key] = max(peak[key], count)
    out: list[list[tuple[str, RoomKind]]] = []
    for i in range(locations):
        large = i < _large(locations)
        rooms = [(f"Exam {n}", RoomKind.EXAM)
                 for n in range(1, max(3 if large else 2, peak[i, "exam"]) + 1)]
        if large:
            suites = max(1, math.ceil(peak[i, "doctor"] / 2)) + (1 if i == 0 else 0)
            rooms += [(f"Procedure Suite {n}" if suites > 1 else "Procedure Suite",
                       RoomKind.PROCEDURE) for n in range(1, suites + 1)]
        rooms += [(f"Massage {n}" if peak[i, "massage"] > 1 else "Massage Room",
                   RoomKind.MASSAGE) for n in range(1, peak[i, "massage"] + 1)]
        out.append(rooms)
    return out


def _provider_name(index: int, kind: ProviderKind) -> str:
    given = GIVEN[index % len(GIVEN)]
    surname = PROVIDER_SURNAMES[(index * 7 + index // len(GIVEN)) % len(PROVIDER_SURNAMES)]
    if kind is ProviderKind.PHYSICIAN:
        return f"Dr. {given} {surname}, {'DO' if index % 4 == 3 else 'MD'}"
    if kind is ProviderKind.APP:
        return f"{given} {surname}, {'APRN' if index % 2 else 'PA-C'}"
    return f"{given} {surname}, LMT"


def _phones(rng: random.Random, count: int) -> list[str]:
    """Unique, valid US numbers on the 555 exchange (0100-0199 stay for the locations)."""
    pool = [f"+1{area}555{n:04d}" for area in ("918", "539") for n in range(200, 10000)]
    out: list[str] = []
    for number in rng.sample(pool, len(pool)):
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            out.append(number)
            if len(out) == count:
                return out
    raise InvalidInput("patients", "ran out of synthetic phone numbers")


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


class _Builder:
    """Creates the practice rows, then plans and inserts appointments, in one session."""

    def __init__(self, session: Session, ctx: Context, *, today: date, seed: int,
                 days_back: int, days_ahead: int, say: Progress) -> None:
        self.session, self.ctx, self.today, self.seed, self.say = session, ctx, today, seed, say
        self.zone = ZoneInfo(ZONE)
        self.first_day = today - timedelta(days=days_back)
        self.last_day = today + timedelta(days=days_ahead)
        self.days_ahead = days_ahead
        self.window = Interval(local_day_bounds(self.first_day, self.zone)[0],
                               local_day_bounds(self.last_day, self.zone)[1])
        clock = ctx.now()
        noon = datetime.combine(today, time(12), self.zone).astimezone(UTC)
        self.now = clock if clock.astimezone(self.zone).date() == today else noon
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = {}

    # -- practice rows

    def practice(self, locations: int, providers: int, patients: int) -> None:
        s = self.session
        self.say(f"Creating {locations} locations, {providers} providers, {patients} patients")
        vts = install_visit_types(s)
        self.kinds = {code: _Kind(vt.id or 0, code, timedelta(minutes=vt.duration_min),
                                  timedelta(minutes=vt.buffer_before_min),
                                  timedelta(minutes=vt.buffer_after_min), RoomKind(vt.room_kind),
                                  vt.is_procedure) for code, vt in vts.items()}
        sites = [Location(name=name, address=address, phone=f"+191855501{i + 1:02d}",
                          timezone=ZONE) for i, (name, address) in enumerate(PLACES[:locations])]
        s.add_all(sites)
        staff = [Staff(name=n, username=u, role=r.value, password_hash=_demo_hash(u))
                 for n, u, r in DEMO_STAFF]
        s.add_all(staff)
        kinds = _kinds(providers)
        people = [Provider(name=_provider_name(i, k), kind=k.value) for i, k in enumerate(kinds)]
        s.add_all(people)
        s.flush()
        self.location_ids = [loc.id or 0 for loc in sites]
        self.staff_ids = {Role(m.role): m.id or 0 for m in staff}
        weekly = _weekly(kinds, locations)
        self.rooms: dict[tuple[int, RoomKind], list[int]] = defaultdict(list)
        room_rows = [Room(location_id=self.location_ids[i], name=name, kind=kind.value,
                          fluoroscopy=kind is RoomKind.PROCEDURE)
                     for i, spec in enumerate(_rooms(kinds, weekly, locations))
                     for name, kind in spec]
        s.add_all(room_rows)
        self.providers: list[_Who] = []
        for person, kind in zip(people, kinds, strict=True):
            codes = tuple(d.code for d in DEFAULT_VISIT_TYPES if kind in d.performers)
            s.add_all(ProviderVisitType(provider_id=person.id or 0,
                                        visit_type_id=self.kinds[c].id) for c in codes)
            self.providers.append(_Who(person.id or 0, kind, codes))
        templates = self._templates(weekly)
        s.add_all(templates)
        s.flush()
        for room in room_rows:
            self.rooms[room.location_id, RoomKind(room.kind)].append(room.id or 0)
        self.templates = [TemplateSpec(t.id or 0, t.provider_id, t.location_id, t.rrule,
                                       t.timezone, t.start_time, t.end_time, t.valid_from)
                          for t in templates]
        years = range(self.first_day.year, self.last_day.year + 1)
        holidays = install_practice_holidays(s, years=years, timezone=ZONE)
        time_off = self._time_off()
        s.add_all(time_off)
        self._patients(patients)
        s.flush()
        self.closures = q.closures_between(s, self.window.start, self.window.end)
        self.counts.update(locations=len(sites), rooms=len(room_rows), providers=len(people),
                           staff=len(staff), templates=len(templates),
                           closures=holidays + len(time_off))

    def _templates(self, weekly: Sequence[dict[int, int]]) -> list[Template]:
        valid_from = self.first_day - timedelta(days=35)
        out: list[Template] = []
        for index, (who, days) in enumerate(zip(self.providers, weekly, strict=True)):
            by_site: dict[int, list[int]] = defaultdict(list)
            for d, site in sorted(days.items()):
                by_site[site].append(d)
            for site, weekdays in by_site.items():
                for block, (start, end) in enumerate(BLOCKS):
                    worked = [d for d in weekdays if not (block == 1 and d == 4 and index % 3 == 2)]
                    if not worked:
                        continue
                    rule = "FREQ=WEEKLY;BYDAY=" + ",".join(BYDAY[d] for d in worked)
                    out.append(Template(provider_id=who.id, location_id=self.location_ids[site],
                                        rrule=rule, timezone=ZONE, start_time=start,
                                        end_time=end, valid_from=valid_from))
        return out

    def _time_off(self) -> list[Closure]:
        span = (self.last_day - self.first_day).days + 1
        count = max(2, round(len(self.providers) * span / 365 * 2))
        out: list[Closure] = []
        for n in range(count):
            who = self.providers[(n * 3 + self.rng.randrange(len(self.providers)))
                                 % len(self.providers)]
            first = self.first_day + timedelta(days=self.rng.randrange(span))
            first += timedelta(days=(7 - first.weekday()) % 7 if first.weekday() >= 5 else 0)
            last = first + timedelta(days=self.rng.choice((0, 0, 1, 2, 4)))
            out.append(Closure(kind="time_off", reason=self.rng.choice(TIME_OFF),
                               starts_at=local_day_bounds(first, self.zone)[0],
                               ends_at=local_day_bounds(last, self.zone)[1], provider_id=who.id))
        return out

    def _patients(self, count: int) -> None:
        rng = self.rng
        weights = [3 if i < _large(len(self.location_ids)) else 2
                   for i in range(len(self.location_ids))]
        start_dob, dob_days = date(1940, 1, 1), (date(2005, 12, 31) - date(1940, 1, 1)).days
        rows = []
        for phone in _phones(rng, count):
            created = (self.window.start - timedelta(days=rng.uniform(60, 1500))).replace(
                microsecond=0)
            dob = start_dob + timedelta(days=int(dob_days * rng.betavariate(1.8, 1.8)))
            payers = PAYERS if dob.year <= 1961 else PAYERS[2:]  # Medicare from 65
            rows.append(Patient(
                first_name=rng.choice(FIRST), last_name=rng.choice(LAST), dob=dob,
                phone=phone, payer=_weighted(rng, payers), created_at=created,
                preferred_location_id=rng.choices(self.location_ids, weights=weights)[0],
            ))
        self.session.add_all(rows)
        self.session.flush()
        self.patient_ids = [p.id or 0 for p in rows]
        self.patients_at: dict[int, list[int]] = defaultdict(list)
        for p in rows:
            self.patients_at[p.preferred_location_id or 0].append(p.id or 0)
        self.counts["patients"] = len(rows)

    # -- appointments

    def _work_by_day(self) -> dict[date, list[tuple[int, int, Interval]]]:
        """Template time minus closures, per local day: (provider, location, interval)."""
        out: dict[date, list[tuple[int, int, Interval]]] = defaultdict(list)
        for t in self.templates:
            holes = [Interval(c.start, c.end) for c in self.closures if _applies(c, t)]
            for span in subtract(expand_template(t, self.window), holes):
                if self.window.start <= span.start and span.end <= self.window.end:
                    out[span.start.astimezone(self.zone).date()].append(
                        (t.provider_id, t.location_id, span))
        return out

    def plan(self, fill: float) -> list[dict[str, Any]]:
        """Appointment rows for every working day; deterministic for a seed and fill."""
        planner = _Planner(self, random.Random(self.seed * 7919 + 1), fill)
        work = self._work_by_day()
        rows: list[dict[str, Any]] = []
        for n, day in enumerate(sorted(work)):
            rows.extend(planner.day(day, work[day]))
            if n % 60 == 59:
                self.say(f"Planned {n + 1} days, {len(rows):,} appointments")
        return rows

    def insert(self, rows: Sequence[dict[str, Any]], batch: int = 5000) -> None:
        table = SQLModel.metadata.tables["appointment"]
        connection = self.session.connection()
        for n in range(0, len(rows), batch):
            connection.execute(insert(table), list(rows[n:n + batch]))
            self.say(f"Inserted {min(n + batch, len(rows)):,} of {len(rows):,} appointments")

    def relief_follow_up(self) -> None:
        """Diagnostic blocks as the desk would have left them: a relief-report callback for
        each, done with the patient's report for blocks more than two days ago, still open for
        the recent and upcoming ones."""
        rng = random.Random(self.seed + 7)
        due_after = timedelta(hours=self.ctx.settings.callbacks.relief_report_hours)
        recent = self.now - timedelta(days=2)
        blocks = self.session.exec(
            select(Appointment)
            .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
            .where(VisitType.code == "facet-diagnostic")
            .where(col(Appointment.status).in_(
                [s.value for s in (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN,
                                   Status.COMPLETED)]))
        ).all()
        desk = self.staff_ids[Role.RECEPTIONIST]
        tasks: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        for block in blocks:
            aid, pid, start, status = block.id, block.patient_id, block.starts_at, block.status
            region, levels, side = block.region, block.levels, block.side
            due = start + due_after
            done = status == Status.COMPLETED.value and start < recent
            taken = min(due + timedelta(minutes=rng.uniform(0, 240)), self.now)
            tasks.append({
                "patient_id": pid, "appointment_id": aid, "kind": "relief-report",
                "due_at": due, "created_at": min(start, self.now) - timedelta(days=1),
                "status": "done" if done else "open", "done_at": taken if done else None,
                "done_by_id": desk if done else None, "call_id": None, "note": "",
            })
            if done:
                percent = rng.choice((0, 20, 40, 60, 75, 80, 85, 90, 95))
                hours = 0.0 if percent == 0 else rng.choice((1.0, 2.0, 3.0, 4.0, 6.0))
                before = rng.randint(6, 9)
                reports.append({
                    "patient_id": pid, "appointment_id": aid, "procedure": "facet-diagnostic",
                    "region": region, "levels": levels, "side": side,
                    "percent_relief": percent, "hours_lasted": hours, "scale_before": before,
                    "scale_after": round(before * (100 - percent) / 100), "same_scale": True,
                    "wearing_off": False, "reported_at": taken, "taken_by_id": desk,
                    "call_id": None,
                })
        connection = self.session.connection()
        if tasks:
            connection.execute(insert(SQLModel.metadata.tables["callback_task"]), tasks)
        if reports:
            connection.execute(insert(SQLModel.metadata.tables["relief_report"]), reports)
        self.say(f"Relief reports {len(reports):,}, callbacks {len(tasks):,}")

    def desk_activity(self) -> None:
        """The desk's last three weeks: a logged call behind most visits the desk booked in them,
        the weekday calls that booked nothing, and a few payer-rule overrides."""
        rng = random.Random(self.seed + 11)
        since = self.now - timedelta(days=ACTIVITY_DAYS)
        desk = [self.staff_ids[Role.RECEPTIONIST], self.staff_ids[Role.SCHEDULER]]
        booked = self.session.exec(
            select(Appointment, VisitType.code)
            .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
            .where(col(Appointment.booked_at) >= since, col(Appointment.booked_at) < self.now)
            .where(col(Appointment.booked_by_id).in_(desk))
            .where(col(Appointment.status).not_in([Status.HELD.value, Status.EXPIRED.value]))
            .order_by(col(Appointment.id))
        ).all()
        calls: list[dict[str, Any]] = []
        for appt, code in booked:
            if rng.random() < 0.7:
                start, end = _around(rng, appt.booked_at, self.now)
                reason = _weighted(rng, BOOKING_REASONS.get(code, OTHER_BOOKING_REASONS))
                if start >= since:
                    calls.append(_call(appt.booked_by_id, appt.patient_id, start, end, reason,
                                       "booked", appt.id))
        calls += self._unbooked_calls(rng, calls, since)
        calls.sort(key=lambda c: c["started_at"])
        overrides = self._overrides(rng, [(a.id or 0, a.patient_id, a.booked_at, code)
                                          for a, code in booked])
        connection = self.session.connection()
        if calls:
            connection.execute(insert(SQLModel.metadata.tables["call"]), calls)
        if overrides:
            connection.execute(insert(SQLModel.metadata.tables["audit_event"]), overrides)
        self.say(f"Calls {len(calls):,}, payer-rule overrides {len(overrides):,}")

    def _unbooked_calls(self, rng: random.Random, booking: Sequence[dict[str, Any]],
                        since: datetime) -> list[dict[str, Any]]:
        """About a third as many again on each weekday: questions, callbacks, declines."""
        per_day: dict[date, int] = defaultdict(int)
        for row in booking:
            per_day[row["started_at"].astimezone(self.zone).date()] += 1
        desk = [self.staff_ids[Role.RECEPTIONIST]] * 4 + [self.staff_ids[Role.SCHEDULER]]
        first = since.astimezone(self.zone).date()
        days = (first + timedelta(days=n) for n in range(ACTIVITY_DAYS + 1))
        out: list[dict[str, Any]] = []
        for day in (d for d in days if d.weekday() < 5):
            opens = datetime.combine(day, time(8), self.zone).astimezone(UTC)
            for _ in range(int(per_day[day] * 0.35 + rng.random())):
                start = opens + timedelta(seconds=rng.randrange(9 * 3600))
                end = start + timedelta(seconds=rng.randrange(60, 8 * 60 + 1))
                call = _call(rng.choice(desk), rng.choice(self.patient_ids), start, end,
                             _weighted(rng, UNBOOKED_REASONS), _weighted(rng, UNBOOKED_OUTCOMES),
                             None)
                if since <= start and end <= self.now:
                    out.append(call)
        return out

    def _overrides(self, rng: random.Random,
                   booked: Sequence[tuple[int, int, datetime, str]]) -> list[dict[str, Any]]:
        """About 4 % of the procedures booked: a scheduler (now and then the manager) overrode
        a payer rule, audited as the booking service does."""
        procedures = [b for b in booked if b[3] in OVERRIDE_RULES]
        payers = dict(self.session.exec(select(Patient.id, Patient.payer)).all())
        covered = [(b, labels) for b in procedures
                   if (labels := [p.label for p in self.ctx.settings.payers
                                  if p.applies_to(payers[b[1]])])]
        share = 0.04 * len(procedures) / max(len(covered), 1)
        out: list[dict[str, Any]] = []
        for (aid, _, at, code), labels in covered:
            if rng.random() >= share:
                continue
            rule = rng.choice(OVERRIDE_RULES[code])
            role = Role.MANAGER if rng.random() < 0.2 else Role.SCHEDULER
            out.append({
                "at": at, "staff_id": self.staff_ids[role], "action": "payer.override",
                "entity": "appointment", "entity_id": aid,
                "after": {"visit_type": code, "rules": [rule], "payers": labels,
                          "reason": rng.choice(OVERRIDE_REASONS[rule])},
            })
        return sorted(out, key=lambda row: row["at"])

    def finish(self, appointments: int) -> DemoSummary:
        c = self.counts
        summary = DemoSummary(
            locations=c["locations"], rooms=c["rooms"], providers=c["providers"],
            staff=c["staff"], patients=c["patients"], templates=c["templates"],
            closures=c["closures"], appointments=appointments, first_day=self.first_day,
            last_day=self.last_day,
        )
        after = {k: (v.isoformat() if isinstance(v, date) else v)
                 for k, v in asdict(summary).items()}
        q.add_audit(self.session, at=self.ctx.now(), staff_id=self.staff_ids[Role.ADMIN],
                    action="demo.seed", entity="practice", entity_id=None,
                    after=after | {"seed": self.seed})
        return summary


def _around(rng: random.Random, booked_at: datetime,
            now: datetime) -> tuple[datetime, datetime]:
    """The call a booking was made on: a few minutes before it, a minute or few after."""
    start = booked_at - timedelta(minutes=rng.uniform(2, 9))
    end = min(booked_at + timedelta(minutes=rng.uniform(1, 4)), now)
    return start.replace(microsecond=0), end.replace(microsecond=0)


def _call(staff_id: int, patient_id: int, start: datetime, end: datetime, reason: str,
          outcome: str, appointment_id: int | None) -> dict[str, Any]:
    """A closed call row, logged as the intake screen logs one."""
    return {
        "staff_id": staff_id, "patient_id": patient_id, "started_at": start,
        "updated_at": end, "ended_at": end, "status": "closed", "reason": str(reason),
        "answers": {}, "outcome": str(outcome), "note": "", "appointment_id": appointment_id,
        "version": 1,
    }


def _applies(closure: ClosureSpec, template: TemplateSpec) -> bool:
    return (closure.provider_id in (None, template.provider_id)
            and closure.location_id in (None, template.location_id))


OFFICE_CLOSES = time(17, 30)  # the desk books between 08:00 and 17:30


class _Planner:
    """Packs one day at a time: a cursor per provider, an occupancy list per room."""

    def __init__(self, builder: _Builder, rng: random.Random, fill: float) -> None:
        self.b, self.rng, self.fill = builder, rng, fill
        self.step = timedelta(minutes=builder.ctx.settings.booking.slot_step_min)
        self.late = timedelta(hours=builder.ctx.settings.booking.late_cancel_hours)
        self.who = {p.id: p for p in builder.providers}
        self.booker = [builder.staff_ids[Role.RECEPTIONIST]] * 3 + [
            builder.staff_ids[Role.SCHEDULER]] * 2

    def _mix(self, who: _Who, location_id: int) -> tuple[list[_Kind], list[int]]:
        kinds, weights = [], []
        for code, weight in MIX[who.kind].items():
            kind = self.b.kinds[code]
            if code in who.codes and self.b.rooms.get((location_id, kind.room_kind)):
                kinds.append(kind)
                weights.append(weight)
        return kinds, weights

    def day(self, day: date, work: list[tuple[int, int, Interval]]) -> list[dict[str, Any]]:
        ahead = (day - self.b.today).days
        fill = self.fill
        if ahead > 0 and self.b.days_ahead:
            fill *= 1 - 0.35 * ahead / self.b.days_ahead  # the far future is still filling up
        by_provider: dict[int, list[tuple[int, Interval]]] = defaultdict(list)
        for pid, lid, span in work:
            by_provider[pid].append((lid, span))
        order = sorted(by_provider)
        self.rng.shuffle(order)
        rooms: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        seen: set[int] = set()
        rows: list[dict[str, Any]] = []
        for pid in order:
            free_at = self.b.window.start
            for lid, span in sorted(by_provider[pid], key=lambda x: x[1].start):
                kinds, weights = self._mix(self.who[pid], lid)
                if not kinds:
                    continue
                place = self._place_rate(kinds, weights, fill)
                cursor = span.start
                while cursor < span.end:
                    if self.rng.random() >= place:
                        cursor += self.step
                        continue
                    kind = self.rng.choices(kinds, weights=weights)[0]
                    start = cursor
                    while start - kind.before < free_at:
                        start += self.step
                    end = start + kind.duration
                    if end > span.end:
                        cursor += self.step
                        continue
                    room = self._room(rooms, lid, kind, start - kind.before, end + kind.after)
                    if room is None:
                        cursor += self.step
                        continue
                    free_at = end + kind.after
                    rows.append(self._row(pid, lid, room, kind, start, seen))
                    cursor = start + kind.duration + kind.after
                    cursor += (span.start - cursor) % self.step
        return rows

    def _place_rate(self, kinds: Sequence[_Kind], weights: Sequence[int], fill: float) -> float:
        """Chance to start a visit at a free step so that about ``fill`` of the time is blocked.

        Visits occupy whole slot steps (a 20-minute visit on a 15-minute grid takes 30) and the
        end of a block often cannot hold the next visit (measured: about 12 % lost), so the
        target is first scaled up to the share of steps that must be taken.
        """
        minute = timedelta(minutes=1)
        total = sum(weights)
        raw = sum(w * (k.before + k.duration + k.after) / minute
                  for k, w in zip(kinds, weights, strict=True)) / total
        footprint = sum(w * _span(k, self.step) / minute
                        for k, w in zip(kinds, weights, strict=True)) / total
        share = min(0.97, fill * footprint / raw / 0.88)
        step = self.step / minute
        return share * step / (share * step + (1 - share) * footprint)

    def _room(self, rooms: dict[int, list[tuple[datetime, datetime]]], lid: int, kind: _Kind,
              start: datetime, end: datetime) -> int | None:
        for rid in self.b.rooms[lid, kind.room_kind]:
            taken = rooms[rid]
            if all(e <= start or end <= s for s, e in taken):
                taken.append((start, end))
                return rid
        return None

    def _patient(self, lid: int, seen: set[int]) -> int:
        """Mostly someone who prefers this location; never one patient twice in a day."""
        local = self.b.patients_at.get(lid) or self.b.patient_ids
        pid = 0
        for attempt in range(12):
            pool = local if attempt < 8 and self.rng.random() < 0.8 else self.b.patient_ids
            pid = self.rng.choice(pool)
            if pid not in seen:
                break
        seen.add(pid)
        return pid

    def _row(self, pid: int, lid: int, rid: int, kind: _Kind, start: datetime,
             seen: set[int]) -> dict[str, Any]:
        rng, now = self.rng, self.b.now
        end = start + kind.duration
        booked_at = start - timedelta(days=rng.uniform(1, 45))
        if booked_at >= now:  # spread over the weeks before now, not piled up just before it
            booked_at = now - timedelta(days=45) * rng.uniform(0.002, 1)
        booked_at = self._office_hours(booked_at.replace(microsecond=0), min(start, now))
        status, updated, reason = self._status(start, end, booked_at)
        updated = updated.replace(microsecond=0)
        late = reason is not None and start - updated < self.late
        region = levels = side = None
        if kind.is_procedure:
            region = _weighted(rng, (("lumbar", 70), ("cervical", 22), ("thoracic", 8)))
            if kind.code != "trigger-point":
                levels = rng.choice(LEVELS[region])
            side = _weighted(rng, (("bilateral", 50), ("left", 25), ("right", 25)))
        return {
            "patient_id": self._patient(lid, seen), "visit_type_id": kind.id,
            "provider_id": pid, "location_id": lid, "room_id": rid,
            "starts_at": start, "ends_at": end, "block_start": start - kind.before,
            "block_end": end + kind.after, "status": status.value, "hold_expires_at": None,
            "region": region, "levels": levels, "side": side,
            "booked_by_id": rng.choice(self.booker), "booked_at": booked_at,
            "cancel_reason": reason, "late_cancel": late, "version": 1, "updated_at": updated,
        }

    def _office_hours(self, moment: datetime, before: datetime) -> datetime:
        """The moment squeezed into its day's desk hours (08:00-17:30 local; a Saturday's into
        Friday's, a Sunday's into Monday's), keeping its order within the day, without another
        draw, and always before ``before`` (a day not open yet by then gives the weekday
        before it)."""
        zone = self.b.zone
        local = moment.astimezone(zone)
        day = local.date() + timedelta(days={5: -1, 6: 1}.get(local.weekday(), 0))
        for _ in range(4):
            opens = datetime.combine(day, time(8), zone).astimezone(UTC)
            closes = min(datetime.combine(day, OFFICE_CLOSES, zone).astimezone(UTC), before)
            if opens < closes:
                share = (local.hour * 3600 + local.minute * 60 + local.second) / 86400
                return (opens + (closes - opens) * share).replace(microsecond=0)
            day -= timedelta(days=3 if day.weekday() == 0 else 1)
        return min(moment, before - timedelta(minutes=10))

    def _status(self, start: datetime, end: datetime,
                booked_at: datetime) -> tuple[Status, datetime, str | None]:
        """A realistic status for the visit's place in time, with when it last changed."""
        rng, now = self.rng, self.b.now
        roll = rng.random()
        cancel_rate = 0.08 if start < now else 0.05
        if roll < cancel_rate:
            latest = min(now, start) - timedelta(minutes=1)
            if rng.random() < 0.35 and start - self.late < latest:
                at = start - timedelta(hours=rng.uniform(1, self.late.total_seconds() / 3600))
            else:
                at = booked_at + (latest - booked_at) * rng.random()
            at = min(max(at, booked_at + timedelta(minutes=1)), latest)
            return Status.CANCELLED, at, rng.choice(CANCEL_REASONS)
        if end <= now:
            if roll < cancel_rate + 0.05:
                return Status.NO_SHOW, min(end + timedelta(minutes=30), now), None
            return Status.COMPLETED, min(end + timedelta(minutes=rng.uniform(2, 20)), now), None
        if start <= now or (start - now < timedelta(minutes=30) and roll < 0.55):
            return Status.CHECKED_IN, min(start - timedelta(minutes=rng.uniform(3, 25)), now), None
        soon = start - now < timedelta(days=3)
        if rng.random() < (0.7 if soon else 0.12):
            confirmed = max(booked_at, min(now, start - timedelta(days=rng.uniform(0.2, 2.5))))
            return Status.CONFIRMED, confirmed, None
        return Status.BOOKED, booked_at, None


def _span(kind: _Kind, step: timedelta) -> timedelta:
    """A visit's footprint on the provider's day, rounded up to whole slot steps."""
    length = kind.before + kind.duration + kind.after
    return step * -(-length // step)
