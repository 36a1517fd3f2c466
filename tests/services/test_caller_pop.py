"""The caller pop below the UI: the patients a number belongs to (SQLite and PostgreSQL), and
the local channel — the private directory, the peer's uid, the one-line protocol, several
sessions of one user and stale sockets."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import struct
from pathlib import Path

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import Patient
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.pop import channel
from frontdesk.services.pop.callers import callers_by_phone
from frontdesk.services.pop.channel import (
    ChannelRefused,
    Listener,
    check_private,
    hand_over,
    peer_allowed,
    pop_dir,
    private_dir,
    read_number,
)
from tests.practice import Practice

SHARED = "+19185550177"


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


class TestListener:
    def test_a_number_is_delivered_and_answered_and_the_socket_goes_on_close(
            self, tmp_path: Path) -> None:
        got: list[str] = []

        async def scenario() -> None:
            listener = Listener(tmp_path / "run", lambda n: got.append(n) or "shown")
            path = await listener.start()
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path / "run") \
                == "shown"
            assert await asyncio.to_thread(send, path, b"not a number\n") \
                == b"ERR not a phone number\n"
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
            listener = Listener(tmp_path, lambda n: got.append(n) or "shown")
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
            older = Listener(tmp_path, lambda n: got.append(("older", n)) or "shown")
            older_path = await older.start()
            # a second session of the same user (another process: another pid's name)
            newer_path = tmp_path / "pop-999999.sock"
            stamp = older_path.stat().st_mtime_ns + 10**9
            server = await asyncio.start_unix_server(
                lambda r, w: answer(r, w, got), path=str(newer_path))
            os.utime(newer_path, ns=(stamp, stamp))
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) == "queued"
            server.close()
            await server.wait_closed()
            newer_path.unlink(missing_ok=True)
            # a socket whose app died without closing it: refused, removed, the next one asked
            dead = tmp_path / "pop-999998.sock"
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
        stale = tmp_path / f"pop-{os.getpid()}.sock"
        tmp_path.chmod(0o700)
        gone = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        gone.bind(str(stale))
        gone.close()
        before = stale.stat().st_ino

        async def scenario() -> None:
            listener = Listener(tmp_path, lambda n: "shown")
            assert await listener.start() == stale
            assert stale.stat().st_ino != before
            assert await asyncio.to_thread(hand_over, "+19185550142", tmp_path) == "shown"
            listener.close()

        asyncio.run(scenario())
        assert not [p for p in tmp_path.iterdir() if p.name != stale.name]  # no leftovers

    def test_no_app_running(self, tmp_path: Path) -> None:
        assert hand_over("+19185550142", tmp_path / "none") is None
        assert hand_over("+19185550142", private_dir(tmp_path / "empty")) is None

    def test_an_open_directory_is_never_used_to_hand_over(self, tmp_path: Path) -> None:
        tmp_path.chmod(0o777)
        with pytest.raises(ChannelRefused):
            hand_over("+19185550142", tmp_path)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 got: list[tuple[str, str]]) -> None:
    line = await reader.readline()
    got.append(("newer", line.decode().strip()))
    writer.write(b"OK queued\n")
    await writer.drain()
    writer.close()


def send(path: Path, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
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
