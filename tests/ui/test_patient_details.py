"""The caller's details kept right from the call screen, asserted on the database: Ctrl+T edits
every detail against the version read (each problem under its field, all at once, the cursor on
the first; a record changed meanwhile is not overwritten), the new-patient form lists the
patients who may be the caller before adding anybody, and the alerts staff must see show on the
caller's line and in a visit's details."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, func, select
from textual.widgets import Checkbox, Input, OptionList, Select, Static

from frontdesk.db.models import AuditEvent, Call, Patient
from frontdesk.services import payers
from frontdesk.services.context import Context
from frontdesk.services.patients.edit import edit_patient
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.backend.door import Backend
from frontdesk.ui.call.edit_patient import EditPatientDialog
from frontdesk.ui.call.new_patient import NewPatientDialog
from frontdesk.ui.call.record import RecordPanel
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.visit.details import DetailsScreen
from tests.practice import Practice
from tests.ui.conftest import settled, text_of
from tests.ui.test_call_intake import app_for, on_call, quiet, text

CAREFUL = "⚠ Needs an interpreter · On blood thinners: nurse call first"


def patient(ctx: Context, patient_id: int) -> Patient:
    with Session(ctx.engine) as session:
        row = session.get(Patient, patient_id)
        assert row is not None
        session.expunge(row)
        return row


def count(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(Patient)).one())


def edits(ctx: Context) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "patient.edit")
                                 .order_by(col(AuditEvent.id))).all())


async def identified(pilot: Any, search: str) -> CallScreen:
    screen = await on_call(pilot)
    await pilot.press(*search)
    await quiet(pilot)
    await pilot.press("down", "enter")
    await quiet(pilot)
    assert screen.patient is not None
    return screen


async def editing(pilot: Any) -> EditPatientDialog:
    await pilot.press("ctrl+t")
    await quiet(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, EditPatientDialog)
    return dialog


def put(dialog: Any, **values: str) -> None:
    for field, value in values.items():
        dialog.query_one(f"#{field}", Input).value = value


async def test_ctrl_t_edits_every_detail_of_the_caller(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await identified(pilot, "sample")
        dialog = await editing(pilot)
        assert dialog.query_one("#phone", Input).value == "(918) 555-0122"
        assert dialog.query_one("#dob", Input).value == "11/2/1982"
        assert dialog.query_one("#payer", Input).value == "Self-pay"
        put(dialog, name="Jordan Sample-Reyes", dob="11/3/1982", phone="918-555-0190",
            mobile="918-555-0191", email="jordan@example.com", address="9 Sample St",
            city="Tulsa", state="ok", zip="74103", payer="Aetna", member_id="W123",
            alert_note="Prefers afternoons")
        dialog.query_one("#sms_consent", Checkbox).value = True
        dialog.query_one("#alert-interpreter", Checkbox).value = True
        dialog.query_one("#alert-blood-thinners", Checkbox).value = True
        dialog.query_one("#location", Select).value = "Test Clinic"
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert text(screen, "#call-caller").startswith(
            "✓ Sample-Reyes, Jordan · born 3 Nov 1982 · (918) 555-0190 · Test Clinic · Aetna")
        assert text(screen, "#call-alerts") == CAREFUL + " · Prefers afternoons"
    row = patient(sqlite_ctx, jordan)
    assert (row.last_name, row.dob, row.phone, row.mobile, row.sms_consent) == (
        "Sample-Reyes", date(1982, 11, 3), "+19185550190", "+19185550191", True)
    assert (row.email, row.address, row.city, row.state, row.zip) == (
        "jordan@example.com", "9 Sample St", "Tulsa", "OK", "74103")
    assert (row.preferred_location_id, row.payer_key, row.member_id) == (
        practice.location_id, "aetna", "W123")
    assert (row.alerts, row.alert_note, row.version) == (
        ["interpreter", "blood-thinners"], "Prefers afternoons", 2)
    (event,) = edits(sqlite_ctx)
    assert event.after == {"fields": ["name", "dob", "phone", "mobile", "sms_consent", "email",
                                      "address", "city", "state", "zip", "location", "payer",
                                      "member_id", "alerts", "alert_note"], "version": 2}
    with Session(sqlite_ctx.engine) as session:
        [call] = session.exec(select(Call)).all()
    assert call.patient_id == jordan


async def test_a_new_mobile_or_email_unticks_its_consent_and_says_so(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    """A consent is to the number or address it was given for: typing a new one unticks the
    box with a note; ticked again, it goes with the new one."""
    from frontdesk.services.patients.edit import edit_patient

    jordan = practice.other_patient_id
    edit_patient(sqlite_ctx, staff="desk", patient_id=jordan, version=None,
                 mobile="918-555-0191", sms_consent=True, email="jordan@example.com",
                 email_consent=True)
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await identified(pilot, "sample")
        dialog = await editing(pilot)
        for field in ("mobile", "email"):
            box = dialog.query_one(f"#{field}", Input)
            box.focus()
            await pilot.pause()
            box.value = {"mobile": "918-555-0192", "email": "jordan@example.org"}[field]
            await pilot.pause()
        assert not dialog.query_one("#sms_consent", Checkbox).value
        assert not dialog.query_one("#email_consent", Checkbox).value
        assert text(dialog, "#sms_consent-error") == (
            "A new mobile needs the patient's consent again: tick Texts OK if they agree to it")
        assert text(dialog, "#email_consent-error") == (
            "A new email needs the patient's consent again: tick Reminders OK if they agree "
            "to it")
        dialog.query_one("#sms_consent", Checkbox).value = True  # they agree to texts
        await pilot.pause()
        await pilot.press("ctrl+s")
        await quiet(pilot)
    row = patient(sqlite_ctx, jordan)
    assert (row.mobile, row.sms_consent) == ("+19185550192", True)
    assert (row.email, row.email_consent) == ("jordan@example.org", False)


async def test_every_problem_shows_under_its_field_at_once_and_nothing_is_written(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    before = patient(sqlite_ctx, jordan).model_dump()
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await identified(pilot, "sample")
        dialog = await editing(pilot)
        put(dialog, dob="someday", phone="12", email="jordan@", zip="7410", payer="Medcare")
        dialog.query_one("#sms_consent", Checkbox).value = True  # and no mobile
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert pilot.app.screen is dialog
        shown = {f: text(dialog, f"#{f}-error") for f in
                 ("dob", "phone", "email", "zip", "payer")
                 if dialog.query_one(f"#{f}-error").display}
        assert list(shown) == ["dob", "phone", "email", "zip", "payer"]
        assert shown["phone"].startswith("Not a valid phone number")
        assert shown["zip"] == "A ZIP code is 5 digits, or ZIP+4 such as 74133-1234"
        assert dialog.focused is dialog.query_one("#dob")  # the cursor on the first
        put(dialog, dob="11/2/1982", phone="918-555-0122", email="", zip="", payer="Self-pay")
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert text(dialog, "#sms_consent-error") == (
            "Text messages need a mobile number: add the mobile first")
        assert dialog.focused is dialog.query_one("#sms_consent")
    assert patient(sqlite_ctx, jordan).model_dump() == before
    assert edits(sqlite_ctx) == []


async def test_a_record_changed_meanwhile_is_not_overwritten(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await identified(pilot, "sample")
        dialog = await editing(pilot)
        payers.set_payer(sqlite_ctx, staff="mgr", patient_id=jordan, payer="Aetna")  # elsewhere
        put(dialog, email="jordan@example.com")
        await pilot.press("enter")
        await quiet(pilot)
        assert pilot.app.screen is dialog
        assert text(dialog, "#form-error").startswith("Changed by someone else meanwhile: "
                                                      "nothing was saved.")
        await pilot.press("escape")
        await quiet(pilot)
        dialog = await editing(pilot)  # reopened: as it is now
        assert dialog.query_one("#payer", Input).value == "Aetna"
        put(dialog, email="jordan@example.com")
        await pilot.press("enter")
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, EditPatientDialog)
    row = patient(sqlite_ctx, jordan)
    assert (row.email, row.payer_key, row.version) == ("jordan@example.com", "aetna", 3)


async def test_the_new_patient_form_shows_who_may_be_the_caller_first(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    before = count(sqlite_ctx)
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await on_call(pilot)
        await pilot.press(*"Casy Testcase")
        await quiet(pilot)
        await pilot.press("ctrl+n")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, NewPatientDialog)
        put(dialog, dob="5/17/1970", phone="918-555-0199", mobile="918-555-0198",
            city="Tulsa", state="OK", zip="74101")
        dialog.query_one("#alert-driver", Checkbox).value = True
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert pilot.app.screen is dialog  # nobody added yet
        listed = dialog.query_one("#dupes", OptionList)
        assert [str(listed.get_option_at_index(n).prompt) for n in range(listed.option_count)
                ] == ["Testcase, Casey · born 17 May 1970 · (918) 555-0111 · Test Clinic — "
                      "same birth date, similar name", "None of these: add as a new patient"]
        assert dialog.focused is listed
        assert count(sqlite_ctx) == before
        await pilot.press("enter")  # it is Casey on file
        await quiet(pilot)
        assert screen.patient is not None
        assert screen.patient.id == practice.patient_id
        edit = pilot.app.screen  # what was typed is not lost: Casey's form, with it filled in
        assert isinstance(edit, EditPatientDialog)
        assert text(edit, "#patient-form-title").splitlines()[1] == (
            "Typed for a new patient, not saved yet: phone, mobile, city, state, ZIP, alerts. "
            "Ctrl+S saves it to this record; Esc leaves the record as it is.")
        assert (edit.query_one("#name", Input).value, edit.query_one("#mobile", Input).value,
                edit.query_one("#alert-driver", Checkbox).value) == (
            "Testcase, Casey", "918-555-0198", True)
        put(edit, phone="(918) 555-0111")  # the phone on file was right
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert count(sqlite_ctx) == before
        casey = patient(sqlite_ctx, practice.patient_id)
        assert (casey.phone, casey.mobile, casey.city, casey.state, casey.zip, casey.alerts,
                casey.first_name) == ("+19185550111", "+19185550198", "Tulsa", "OK", "74101",
                                      ["driver"], "Casey")

        await pilot.press("ctrl+n")  # once more, and this time it is somebody else
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, NewPatientDialog)
        put(dialog, name="Casy Testcase", dob="5/17/1970", phone="918-555-0199")
        dialog.query_one("#alert-driver", Checkbox).value = True
        await pilot.press("ctrl+s")
        await quiet(pilot)
        await pilot.press("down", "enter")  # "None of these: add as a new patient"
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert text(screen, "#call-alerts") == "⚠ Needs a driver"
    assert count(sqlite_ctx) == before + 1
    with Session(sqlite_ctx.engine) as session:
        added = session.exec(select(Patient).order_by(col(Patient.id).desc())).first()
        created = session.exec(select(AuditEvent).where(
            AuditEvent.action == "patient.create")).one()
    assert added is not None
    assert (added.first_name, added.alerts) == ("Casy", ["driver"])
    assert created.after is not None
    assert created.after["not_these"] == [practice.patient_id]


async def test_a_name_of_several_words_is_kept_as_it_is_when_corrected(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    """The form shows the name as "Last, First": correcting the first name of Anna De La Cruz
    keeps her last name whole (it used to be re-split at the last space: "Cruz")."""
    jordan = practice.other_patient_id
    with Session(sqlite_ctx.engine) as session:
        row = session.get(Patient, jordan)
        assert row is not None
        row.first_name, row.last_name = "Ana", "De La Cruz"
        session.add(row)
        session.commit()
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await identified(pilot, "918-555-0122")
        dialog = await editing(pilot)
        assert dialog.query_one("#name", Input).value == "De La Cruz, Ana"
        assert (dialog.query_one("#state", Input).placeholder,
                dialog.query_one("#zip", Input).placeholder) == ("e.g. OK", "e.g. 74133")
        put(dialog, name="De La Cruz, Anna")
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, EditPatientDialog)
    row = patient(sqlite_ctx, jordan)
    assert (row.first_name, row.last_name) == ("Anna", "De La Cruz")


async def test_the_alerts_show_on_the_caller_line_and_in_the_visit_details(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView],
) -> None:
    edit_patient(sqlite_ctx, staff="desk", patient_id=practice.patient_id, version=None,
                 alerts=("blood-thinners", "interpreter"))
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60.0).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # the first visit: Testcase's block
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        details = pilot.app.screen
        assert isinstance(details, DetailsScreen)
        facts = text_of(details, "#details-facts").splitlines()
        assert facts[:2] == ["Patient   Testcase, C.", f"Alerts    {CAREFUL}"]
        await pilot.press("escape")
        await pilot.pause()
        screen = await identified(pilot, "testcase")
        assert text(screen, "#call-alerts") == CAREFUL
        assert screen.query_one("#call-alerts", Static).display


class TestPatientFormSnapshots:
    def test_edit_with_problems_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                         practice: Practice) -> None:
        async def wrong(pilot: Any) -> None:
            await identified(pilot, "sample")
            dialog = await editing(pilot)
            put(dialog, phone="12", zip="7410", email="jordan@")
            await pilot.press("ctrl+s")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=wrong)

    def test_possible_duplicates_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                          practice: Practice) -> None:
        async def looks_known(pilot: Any) -> None:
            await on_call(pilot)
            await pilot.press(*"Casy Testcase")
            await quiet(pilot)
            await pilot.press("ctrl+n")
            await quiet(pilot)
            put(pilot.app.screen, dob="5/17/1970", phone="918-555-0122")
            await pilot.press("ctrl+s")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24),
                            run_before=looks_known)

    def test_a_caller_with_alerts_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                           practice: Practice) -> None:
        edit_patient(sqlite_ctx, staff="desk", patient_id=practice.patient_id, version=None,
                     alerts=("interpreter", "blood-thinners"), alert_note="Spanish")

        async def careful(pilot: Any) -> None:
            await identified(pilot, "testcase")

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=careful)


async def test_a_call_whose_caller_was_merged_meanwhile_resumes_with_the_record_kept(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    from frontdesk.services import calls, directory
    from frontdesk.services.patients.merge import merge_patients
    from frontdesk.ui.call.dialogs import ResumeDialog

    twin = directory.add_patient(sqlite_ctx, staff="desk", name="Jordon Sample",
                                 dob=date(1982, 11, 2), phone="918-555-0188",
                                 confirmed_new=True)
    draft = calls.start_call(sqlite_ctx, staff="desk")
    calls.save_draft(sqlite_ctx, staff="desk", call_id=draft.id, expected_version=1,
                     patient_id=twin.id)
    merge_patients(sqlite_ctx, staff="mgr", keep_id=practice.other_patient_id,
                   other_id=twin.id)
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ResumeDialog)
        await pilot.press("enter")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert text(screen, "#call-caller").startswith("✓ Sample, Jordan · born 2 Nov 1982")
    with Session(sqlite_ctx.engine) as session:
        call = session.get(Call, draft.id)
        assert call is not None
        assert call.patient_id == practice.other_patient_id


@pytest.mark.parametrize("key", ["ctrl+t", "ctrl+y"])
async def test_a_caller_merged_during_the_call_switches_to_the_record_kept(
    sqlite_ctx: Context, practice: Practice, key: str,
) -> None:
    """The caller's record is merged into another while the call is open: saving their
    details (Ctrl+T) or payer (Ctrl+Y) meets the merge, and the call goes on with the record
    kept — caller line, record and the call's caller — saying so in one line."""
    from frontdesk.services import directory
    from frontdesk.services.patients.merge import merge_patients
    from frontdesk.ui.call.payer import PayerDialog

    jordan = practice.other_patient_id
    twin = directory.add_patient(sqlite_ctx, staff="desk", name="Jordon Sample",
                                 dob=date(1982, 11, 2), phone="918-555-0188",
                                 confirmed_new=True)
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await identified(pilot, "918-555-0188")
        assert screen.patient is not None
        assert screen.patient.id == twin.id
        merge_patients(sqlite_ctx, staff="mgr", keep_id=jordan, other_id=twin.id)
        await pilot.press(key)
        await quiet(pilot)
        dialog = pilot.app.screen
        if key == "ctrl+t":
            assert isinstance(dialog, EditPatientDialog)
            put(dialog, email="jordan@example.com")
        else:
            assert isinstance(dialog, PayerDialog)
            put(dialog, payer="Aetna")
        await pilot.press("enter")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert screen.patient is not None
        assert screen.patient.id == jordan
        assert text(screen, "#call-caller").startswith("✓ Sample, Jordan · born 2 Nov 1982")
        said = f"This record was merged into {jordan}: showing {jordan}."
        assert text(screen, "#call-hint").startswith(said)
        assert screen.query_one(RecordPanel).patient_id == jordan
    with Session(sqlite_ctx.engine) as session:
        [call] = session.exec(select(Call)).all()
    assert call.patient_id == jordan
    assert edits(sqlite_ctx) == []


async def test_the_form_opens_with_the_preferred_location_and_keeps_it(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    """A detail the person did not touch is not changed: the preferred location shows in the
    form and a save of another detail leaves it (a blank choice would clear it)."""
    jordan = practice.other_patient_id
    with Session(sqlite_ctx.engine) as session:
        row = session.get(Patient, jordan)
        assert row is not None
        row.preferred_location_id = practice.location_id
        session.add(row)
        session.commit()
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await identified(pilot, "sample")
        dialog = await editing(pilot)
        assert dialog.query_one("#location", Select).value == "Test Clinic"
        put(dialog, email="jordan@example.com")
        await pilot.press("ctrl+s")
        await quiet(pilot)
    row = patient(sqlite_ctx, jordan)
    assert (row.email, row.preferred_location_id) == ("jordan@example.com",
                                                      practice.location_id)
    (event,) = edits(sqlite_ctx)
    assert event.after == {"fields": ["email"], "version": 2}


EVIL = "\x1b[31mRED\x1b]0;pwn\x07"  # red text, then the terminal's title set


def shows_no_control(text: str) -> bool:
    return all(ch.isprintable() for ch in text)


async def test_no_control_character_of_a_record_reaches_the_screen(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView],
) -> None:
    """Escape sequences, DEL, C1 controls and bidi overrides written straight into the record
    (an import, another program) show as "?" on the board, in a visit's details, on the
    caller's line, alerts and record, in the Ctrl+T form and in the possible duplicates."""
    from tests.ui.conftest import shown

    with Session(sqlite_ctx.engine) as session:
        row = session.get(Patient, practice.patient_id)
        assert row is not None
        row.first_name, row.alert_note = "\x1b[2JCasey", EVIL
        row.email, row.address = "c\x1b[2J@example.com", "1 Test\u202e Way"
        row.city, row.member_id, row.payer, row.payer_key = "Tul\x9bsa", "W\x7f1", \
            "Acme\x1b[5m", None
        session.add(row)
        session.commit()
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        board = await settled(pilot)
        rows = [" ".join(r.values()) for r in shown(board)]
        assert any("Testcase, ?." in r for r in rows)
        assert all(shows_no_control(r) for r in rows)
        await pilot.press("enter")  # the first visit: Testcase's block
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        facts = text_of(pilot.app.screen, "#details-facts")
        assert "Alerts    ⚠ ?[31mRED?]0;pwn?" in facts
        assert shows_no_control(facts.replace("\n", ""))
        await pilot.press("escape")
        await pilot.pause()
        screen = await identified(pilot, "testcase")
        await quiet(pilot)
        for part in ("#call-title", "#call-caller", "#call-alerts"):
            assert shows_no_control(text(screen, part)), part
        assert text(screen, "#call-alerts") == "⚠ ?[31mRED?]0;pwn?"
        assert "Acme?[5m" in text(screen, "#call-caller")
        assert shows_no_control(text(screen, "#call-record").replace("\n", ""))
        dialog = await editing(pilot)
        values = {i.id: i.value for i in dialog.query(Input)}
        assert values["email"] == "c?[2J@example.com"
        assert all(shows_no_control(v) for v in values.values())
        assert shows_no_control(text(dialog, "#patient-form-title"))
        await pilot.press("ctrl+s")  # nothing was touched: nothing is sent
        await quiet(pilot)
        assert pilot.app.screen is screen
        await pilot.press("ctrl+n")
        await quiet(pilot)
        new = pilot.app.screen
        assert isinstance(new, NewPatientDialog)
        put(new, name="Avery Quinn", dob="1/1/1990", phone="918-555-0111")
        await pilot.press("ctrl+s")
        await quiet(pilot)
        listed = new.query_one("#dupes", OptionList)
        prompts = [str(listed.get_option_at_index(n).prompt)
                   for n in range(listed.option_count)]
        assert prompts[0].startswith("Testcase, ?[2JCasey · born 17 May 1970")
        assert all(shows_no_control(p) for p in prompts)
    row = patient(sqlite_ctx, practice.patient_id)
    assert (row.email, row.version) == ("c\x1b[2J@example.com", 1)


def test_visit_details_read_no_patient_details_for_nobody(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    """DESIGN §4: a read of a patient's details leaves an audit event naming who read them.
    With nobody signed in there is nobody to name: the visit shows, its patient's phone and
    date of birth are not read."""
    appt = booked[0]

    def opened() -> int:
        with Session(sqlite_ctx.engine) as session:
            return session.exec(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "patient.open")).one()

    nobody = Backend.create(sqlite_ctx, sign_in=True)
    assert nobody.person is None
    seen, _entries, patient = nobody.open_record(appt.id)
    assert (seen.id, patient) == (appt.id, None)
    assert opened() == 0
    someone = Backend.create(sqlite_ctx)  # the first receptionist
    assert someone.person is not None
    _seen, _entries, patient = someone.open_record(appt.id)
    assert patient is not None
    assert patient.id == appt.patient_id
    assert opened() == 1
