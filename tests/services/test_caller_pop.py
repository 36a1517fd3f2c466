"""The caller pop below the UI: the patients a number belongs to (SQLite and PostgreSQL), and
the local channel — the private directory, the peer's uid, the one-line protocol, several
sessions of one user and stale sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import stat
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import Patient
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.pop import channel
from frontdesk.services.pop.callers import callers_by_phone
from frontdesk.services.pop.channel import (
    FRESH_SECONDS,
    GREETING,
    ChannelRefused,
    Listener,
    check_private,
    database_tag,
    host_name,
    peer_allowed,
    pop_dir,
    private_dir,
    read_line,
    read_number,
)
from tests.practice import Practice

SHARED = "+19185550177"
DB = database_tag("/srv/frontdesk/clinic.db")


def hand_over(number: str, directory: Path, *, database: str = DB,
              timeout: float = channel.READ_SECONDS) -> str | None:
    return channel.hand_over(number, directory, database=database, timeout=timeout)


def make_listener(directory: Path, deliver: Callable[[str], str], **kwargs: Any) -> Listener:
    return Listener(directory, deliver, database=kwargs.pop("database", DB), **kwargs)


def set_phones(ctx: Context, p: Practice, *, merged_too: bool = False) -> None:
    """Testcase's phone and Sample's mobile are SHARED; with ``merged_too`` a record merged
    away into Testcase's has it as well."""

    def work(session: Session) -> None:
        first = session.get(Patient, p.patient_id)
        second = session.get(Patient, p.other_patient_id)
        assert first is not None
        assert second is not None
        first.phone, second.mobile = SHARED, SHARED
        if merged_too:
            session.add(Patient(first_name="Casey", last_name="Oldrecord", dob=first.dob,
                                phone=SHARED, payer="Self-pay", created_at=first.created_at,
                                merged_into_id=p.patient_id))

    run_write(ctx.engine, work)


class TestCallersByPhone:
    def test_the_one_patient_with_the_number_in_any_format(self, ctx: Context,
                                                          practice: Practice) -> None:
        for typed in ("+19185550111", "918-555-0111", "(918) 555 0111", "1 918 555 0111"):
            found = callers_by_phone(ctx, typed, staff=practice.staff)
            assert [p.id for p in found] == [practice.patient_id], typed

    def test_phone_or_mobile_live_records_only_by_name(self, ctx: Context,
                                                       practice: Practice) -> None:
        set_phones(ctx, practice, merged_too=True)
        found = callers_by_phone(ctx, SHARED, staff=practice.staff)
        assert [p.last_name for p in found] == ["Sample", "Testcase"]

    def test_a_merged_records_old_number_finds_the_kept_record(
            self, ctx: Context, practice: Practice) -> None:
        old = "+19185550166"

        def work(session: Session) -> None:
            kept = session.get(Patient, practice.patient_id)
            assert kept is not None
            session.add(Patient(first_name="Casey", last_name="Oldrecord", dob=kept.dob,
                                phone="+19185550155", mobile=old, payer="Self-pay",
                                created_at=kept.created_at,
                                merged_into_id=practice.patient_id))

        run_write(ctx.engine, work)
        found = callers_by_phone(ctx, old, staff=practice.staff)
        assert [p.id for p in found] == [practice.patient_id]
        assert callers_by_phone(ctx, old, staff=practice.staff, limit=0) == ()

    def test_nobody(self, ctx: Context, practice: Practice) -> None:
        assert callers_by_phone(ctx, "+19185550199", staff=practice.staff) == ()
        assert callers_by_phone(ctx, "+61 2 9185 5501", staff=practice.staff) == ()

    @pytest.mark.parametrize("typed", ["", "anonymous", "555-0111", "+1 000 555 0111"])
    def test_what_is_not_a_number_is_refused_without_repeating_it(
            self, ctx: Context, practice: Practice, typed: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            callers_by_phone(ctx, typed, staff=practice.staff)
        assert caught.value.field == "phone"
        assert typed not in str(caught.value) or not typed

    def test_only_for_an_active_account(self, ctx: Context, practice: Practice) -> None:
        with pytest.raises(InvalidInput):
            callers_by_phone(ctx, "+19185550111", staff="nobody")


def fake_stat(mode: int, uid: int) -> os.stat_result:
    return os.stat_result((mode, 0, 0, 1, uid, 0, 0, 0, 0, 0))


class TestPrivateDirectory:
    def test_only_a_directory_of_ours_that_nobody_else_may_enter(self) -> None:
        me = os.getuid()
        assert check_private(fake_stat(stat.S_IFDIR | 0o700, me), me) is None
        assert "another user" in str(check_private(fake_stat(stat.S_IFDIR | 0o700, me + 1), me))
        for mode in (0o750, 0o705, 0o770, 0o777, 0o710):
            why = check_private(fake_stat(stat.S_IFDIR | mode, me), me)
            assert "other users may enter" in str(why), oct(mode)
        assert "not a directory" in str(check_private(fake_stat(stat.S_IFLNK | 0o700, me), me))

    def test_made_0700_and_refused_when_opened_up(self, tmp_path: Path) -> None:
        made = private_dir(tmp_path / "deep" / "frontdesk")
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
        made.chmod(0o755)
        with pytest.raises(ChannelRefused, match="other users may enter it"):
            private_dir(made)

    def test_a_symlink_is_not_followed(self, tmp_path: Path) -> None:
        real = private_dir(tmp_path / "real")
        (tmp_path / "link").symlink_to(real)
        with pytest.raises(ChannelRefused, match="not a directory"):
            private_dir(tmp_path / "link")

    def test_where_it_is(self, tmp_path: Path) -> None:
        assert pop_dir({"FRONTDESK_RUNTIME_DIR": str(tmp_path)}) == tmp_path
        assert pop_dir({"XDG_RUNTIME_DIR": "/run/user/1000"}) == Path("/run/user/1000/frontdesk")
        assert pop_dir({"XDG_RUNTIME_DIR": "relative"}).name == "run"  # not trusted: the cache
        assert pop_dir({}).name == "run"


class TestProtocol:
    def test_a_peer_of_another_uid_is_refused(self) -> None:
        me = os.getuid()
        assert peer_allowed(struct.pack("3i", 4242, me, 100), me)
        assert not peer_allowed(struct.pack("3i", 4242, me + 1, 100), me)
        assert not peer_allowed(struct.pack("3i", 4242, 0, 0), 1000)  # not even root's
        assert not peer_allowed(b"", me)
        assert not peer_allowed(b"\x00" * 5, me)

    @pytest.mark.parametrize(("line", "number"), [
        (b"+19185550142\n", "+19185550142"),
        (b"(918) 555-0142\n", "+19185550142"),
        (b"918.555.0142\r\n", "+19185550142"),
        (b"\n", None), (b"anonymous\n", None), (b"918-555-0142; rm -rf ~\n", None),
        (b"$(reboot)\n", None), (b"\xff\xfe918\n", None), (b"9" * 60 + b"\n", None),
        (b"+1 000 555 0142\n", None),
    ])
    def test_only_a_phone_number_is_read(self, line: bytes, number: str | None) -> None:
        assert read_number(line) == number

    @pytest.mark.parametrize(("line", "read"), [
        (b"+19185550142 1765000000.125\n", ("+19185550142", 1765000000.125)),
        (b"+19185550142 1765000000\n", ("+19185550142", 1765000000.0)),
        (b"+19185550142\n", None), (b"+19185550142 soon\n", None),
        (b"+19185550142 1e9\n", None), (b"+19185550142 -5\n", None),
        ("+19185550142 １７６５０００００００\n".encode(), None),
        (b"anonymous 1765000000\n", None), (b"9" * 70 + b" 1\n", None),
    ])
    def test_a_line_is_a_number_and_when_it_was_sent(
            self, line: bytes, read: tuple[str, float] | None) -> None:
        assert read_line(line) == read

    def test_the_database_is_named_by_a_hash_never_by_its_url(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        here = database_tag("clinic.db")
        assert here == database_tag(str(tmp_path / "clinic.db"))
        assert here == database_tag(f"sqlite:///{tmp_path / 'clinic.db'}")
        assert here == database_tag("sqlite:///clinic.db")
        assert here != database_tag("demo.db")
        url = "postgresql+psycopg://desk:s3cret@db.example:5432/clinic"
        assert database_tag(url) == database_tag(url.replace("s3cret", "other"))
        assert database_tag(url) != database_tag(url.replace("/clinic", "/training"))
        assert "s3cret" not in database_tag(url)
        assert len(here) == 16


class TestListener:
    def test_a_number_is_delivered_and_answered_and_the_socket_goes_on_close(
            self, tmp_path: Path) -> None:
        got: list[str] = []

        async def scenario() -> None:
            listener = make_listener(tmp_path / "run", lambda n: got.append(n) or "shown")
            path = await listener.start()
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path / "run") \
                == "shown"
            assert await asyncio.to_thread(send, path, b"not a number 1\n") \
                == f"{GREETING} {DB}\nERR not a phone number\n".encode()
            listener.close()
            assert not path.exists()

        asyncio.run(scenario())
        assert got == ["+19185550142"]

    def test_another_uids_peer_gets_nothing_and_delivers_nothing(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        got: list[str] = []
        other = struct.pack("3i", 4242, os.getuid() + 1, 100)
        monkeypatch.setattr(channel, "peer_credentials", lambda _sock: other)

        async def scenario() -> None:
            listener = make_listener(tmp_path, lambda n: got.append(n) or "shown")
            path = await listener.start()
            assert await asyncio.to_thread(send, path, b"+19185550142\n") == b""
            # and the client will not talk to a listener of another uid either
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) is None
            listener.close()

        asyncio.run(scenario())
        assert got == []

    def test_the_newest_session_wins_and_a_gone_one_is_cleared(self, tmp_path: Path) -> None:
        got: list[tuple[str, str]] = []

        async def scenario() -> None:
            older = make_listener(tmp_path, lambda n: got.append(("older", n)) or "shown")
            older_path = await older.start()
            # a second session of the same user (another process: another pid's name)
            newer_path = tmp_path / f"pop-{host_name()}-999999.sock"
            stamp = older_path.stat().st_mtime_ns + 10**9
            server = await asyncio.start_unix_server(
                lambda r, w: answer(r, w, got), path=str(newer_path))
            os.utime(newer_path, ns=(stamp, stamp))
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) == "queued"
            server.close()
            await server.wait_closed()
            newer_path.unlink(missing_ok=True)
            # a socket whose app died without closing it: refused, removed, the next one asked
            dead = tmp_path / f"pop-{host_name()}-999998.sock"
            gone = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            gone.bind(str(dead))
            gone.close()
            os.utime(dead, ns=(stamp, stamp))
            assert await asyncio.to_thread(hand_over, "+19185550143", tmp_path) == "shown"
            assert not dead.exists()
            older.close()

        asyncio.run(scenario())
        assert got == [("newer", "+19185550142"), ("older", "+19185550143")]

    def test_a_stale_socket_of_the_same_name_is_replaced(self, tmp_path: Path) -> None:
        stale = tmp_path / f"pop-{host_name()}-{os.getpid()}.sock"
        tmp_path.chmod(0o700)
        gone = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        gone.bind(str(stale))
        gone.close()
        before = stale.stat().st_ino

        async def scenario() -> None:
            listener = make_listener(tmp_path, lambda n: "shown")
            assert await listener.start() == stale
            assert stale.stat().st_ino != before
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) == "shown"
            listener.close()

        asyncio.run(scenario())
        assert not [p for p in tmp_path.iterdir() if p.name != stale.name]  # no leftovers

    def test_a_stopped_or_hung_app_is_sent_nothing(self, tmp_path: Path) -> None:
        """An app that does not greet (stopped with ^Z, hung) never gets the number: it would
        read it after the sender gave up, and another session may have popped it already."""
        tmp_path.chmod(0o700)
        path = tmp_path / f"pop-{host_name()}-999997.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stopped:
            stopped.bind(str(path))
            stopped.listen(1)  # the kernel queues the connection; nobody accepts it
            assert hand_over("+19185550142", tmp_path, timeout=0.3) is None
            conn, _ = stopped.accept()  # it wakes up later, and reads what was sent
            with conn:
                conn.settimeout(2)
                assert conn.recv(100) == b""  # nothing: the client sent no number

    def test_a_number_read_too_late_is_dropped(self, tmp_path: Path) -> None:
        got: list[str] = []

        async def scenario() -> None:
            late = make_listener(tmp_path, lambda n: got.append(n) or "shown",
                                 clock=lambda: time.time() + FRESH_SECONDS + 1)
            path = await late.start()
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) is None
            sent = f"+19185550142 {time.time() - FRESH_SECONDS - 5:.3f}\n".encode()
            late.clock = time.time
            assert (await asyncio.to_thread(send, path, sent)).endswith(b"ERR too late\n")
            late.close()

        asyncio.run(scenario())
        assert got == []

    def test_an_app_on_another_database_is_not_handed_the_number(self, tmp_path: Path) -> None:
        got: list[tuple[str, str]] = []

        async def scenario() -> None:
            demo_path = tmp_path / f"pop-{host_name()}-999996.sock"
            demo = make_listener(tmp_path, lambda n: got.append(("demo", n)) or "shown",
                                 database=database_tag("/tmp/frontdesk-demo.db"))
            started = await demo.start()
            started.rename(demo_path)  # as if another process's
            demo.path = demo_path
            clinic = make_listener(tmp_path, lambda n: got.append(("clinic", n)) or "shown")
            await clinic.start()
            # the demo app is the newer session of the two
            future = time.time_ns() + 10**9
            os.utime(demo_path, ns=(future, future))
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) == "shown"
            demo.close()
            clinic.close()
            assert await asyncio.to_thread(hand_over, "+19185550143", tmp_path) is None

        asyncio.run(scenario())
        assert got == [("clinic", "+19185550142")]

    def test_another_hosts_socket_is_never_asked_nor_removed(self, tmp_path: Path) -> None:
        """A home directory shared over NFS: another machine's app cannot be reached from here
        (connecting is refused) but it is alive there."""
        tmp_path.chmod(0o700)
        theirs = tmp_path / "pop-elsewhere.example-4242.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as gone:
            gone.bind(str(theirs))
        assert hand_over("+19185550142", tmp_path) is None
        assert theirs.exists()

    def test_the_name_appears_only_once_the_socket_listens(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        seen: list[bool] = []
        replace = os.replace

        def checked(src: Any, dst: Any) -> None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(src))
                    seen.append(True)
                except ConnectionRefusedError:
                    seen.append(False)
            replace(src, dst)

        monkeypatch.setattr(channel.os, "replace", checked)

        async def scenario() -> None:
            app = make_listener(tmp_path, lambda n: "shown")
            path = await app.start()
            assert path.name == f"pop-{host_name()}-{os.getpid()}.sock"
            app.close()

        asyncio.run(scenario())
        assert seen == [True]

    def test_no_app_running(self, tmp_path: Path) -> None:
        assert hand_over("+19185550142", tmp_path / "none") is None
        assert hand_over("+19185550142", private_dir(tmp_path / "empty")) is None

    def test_an_open_directory_is_never_used_to_hand_over(self, tmp_path: Path) -> None:
        tmp_path.chmod(0o777)
        with pytest.raises(ChannelRefused):
            hand_over("+19185550142", tmp_path)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 got: list[tuple[str, str]]) -> None:
    writer.write(f"{GREETING} {DB}\n".encode())
    line = await reader.readline()
    got.append(("newer", line.decode().split()[0]))
    writer.write(b"OK queued\n")
    await writer.drain()
    writer.close()


def send(path: Path, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # closed on us
            sock.sendall(data)
        chunks = b""
        while True:
            try:
                chunk = sock.recv(100)
            except OSError:
                return chunks
            if not chunk:
                return chunks
            chunks += chunk
