"""The demo practice's rows: locations, staff, providers, rooms, templates, time off, patients."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Closure,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
)
from frontdesk.domain.model import Interval, ProviderKind, Role, RoomKind, TemplateSpec
from frontdesk.services.accounts import passwords
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES, install_visit_types
from frontdesk.services.context import Context
from frontdesk.services.demo.content import (
    BLOCKS,
    BYDAY,
    DEMO_STAFF,
    FIRST,
    LAST,
    PAYERS,
    PLACES,
    TIME_OFF,
    demo_password,
)
from frontdesk.services.demo.layout import _kinds, _large, _provider_name, _rooms, _weekly
from frontdesk.services.errors import InvalidInput
from frontdesk.services.holidays import install_practice_holidays, local_day_bounds

ZONE = "America/Chicago"
Progress = Callable[[str], None]


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


class _PracticeBuilder:
    """Creates the practice rows, keeping the ids, templates and closures the later steps need."""

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

    def practice(self, locations: int, providers: int, patients: int) -> None:
        s = self.session
        self.say(f"Creating {locations} locations, {providers} providers, {patients} patients")
        vts = install_visit_types(s)
        self.kinds = {code: _Kind(vt.id or 0, code, timedelta(minutes=vt.duration_min),
                                  timedelta(minutes=vt.buffer_before_min),
                                  timedelta(minutes=vt.buffer_after_min), RoomKind(vt.room_kind),
                                  vt.is_procedure) for code, vt in vts.items()}
        sites = [Location(name=name, address=address, zip=address[-5:],
                          phone=f"+191855501{i + 1:02d}", timezone=ZONE)
                 for i, (name, address) in enumerate(PLACES[:locations])]
        s.add_all(sites)
        staff = [Staff(name=n, username=u, role=r.value, password_hash=_demo_hash(u))
                 for n, u, r in DEMO_STAFF]
        s.add_all(staff)
        kinds = _kinds(providers)
        names = [_provider_name(i, k) for i, k in enumerate(kinds)]
        people = [Provider(name=n, kind=k.value, credentials=n.rpartition(", ")[2])
                  for n, k in zip(names, kinds, strict=True)]
        s.add_all(people)
        s.flush()
        self.location_ids = [loc.id or 0 for loc in sites]
        self.location_zips = {loc.id or 0: loc.zip for loc in sites}
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
        catalogue = self.ctx.settings.catalogue
        rows = []
        for phone in _phones(rng, count):
            created = (self.window.start - timedelta(days=rng.uniform(60, 1500))).replace(
                microsecond=0)
            dob = start_dob + timedelta(days=int(dob_days * rng.betavariate(1.8, 1.8)))
            payers = PAYERS if dob.year <= 1961 else PAYERS[2:]  # Medicare from 65
            payer = _weighted(rng, payers)
            plan = catalogue.match(payer)
            rows.append(Patient(
                first_name=rng.choice(FIRST), last_name=rng.choice(LAST), dob=dob,
                phone=phone, payer=payer, payer_key=plan.key if plan else None,
                created_at=created,
                preferred_location_id=rng.choices(self.location_ids, weights=weights)[0],
            ))
        _contact_details(rows, random.Random(f"contact-{self.seed}"), self.location_zips)
        self.session.add_all(rows)
        self.session.flush()
        self.patient_ids = [p.id or 0 for p in rows]
        self.patients_at: dict[int, list[int]] = defaultdict(list)
        for p in rows:
            self.patients_at[p.preferred_location_id or 0].append(p.id or 0)
        self.counts["patients"] = len(rows)


#: Home ZIP codes around the demo's locations (the Tulsa area), for the nearest location.
HOME_ZIPS = ("74104", "74105", "74112", "74114", "74120", "74133", "74136", "74137", "74012",
             "74014", "74055", "74006", "74063", "74037", "74008", "74017", "74066", "74401",
             "74033", "74011", "74127", "74145")


def _contact_details(rows: Sequence[Patient], rng: random.Random,
                     location_zips: dict[int, str]) -> None:
    """A home ZIP (mostly near the preferred location), a mobile with text consent for about
    six in ten and an example.com email with email consent for about half: what reminders and
    the nearest location work from. Drawn from their own random stream, so the rest of the
    demo stays as it was."""
    for p in rows:
        near = location_zips.get(p.preferred_location_id or 0, "")
        p.zip = near if near and rng.random() < 0.4 else rng.choice(HOME_ZIPS)
        if rng.random() < 0.6:
            p.mobile, p.sms_consent = p.phone, True
        if rng.random() < 0.5:
            p.email = f"{p.first_name}.{p.last_name}@example.com".lower().replace(" ", "")
            p.email_consent = True
