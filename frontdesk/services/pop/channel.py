"""The caller pop's local channel: a running app listens on a Unix socket that only its own OS
user can reach, and ``frontdesk call --from NUMBER`` hands it the number.

- **Where**: ``$XDG_RUNTIME_DIR/frontdesk`` (the user's own runtime directory, made by the login),
  else ``frontdesk/run`` under the user's cache directory; ``$FRONTDESK_RUNTIME_DIR`` overrides
  both (tests). The directory is made 0700 and refused when it is not a directory of this user's
  or anyone else may enter it; each socket is 0600.
- **Who**: the listener reads the peer's credentials from the kernel (``SO_PEERCRED``) and
  answers only a peer of its own uid; the client checks the listener's the same way.
- **What**: one line, a phone number of at most :data:`MAX_LINE` bytes, read as E.164; the
  answer is ``OK shown``, ``OK queued``, ``OK held`` or ``ERR …``. Nothing else is read, and
  nothing the peer sends is ever run.
- **Several sessions of one user**: each app has its own socket, ``pop-<pid>.sock``; the
  client hands the number to the newest app that answers (the session started last wins) and
  removes the sockets of apps that are gone.

Standard library only (and phonenumbers, on the first number read): the command line's
hand-over loads no database code.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import stat
import struct
from collections.abc import Callable, Mapping
from pathlib import Path

from frontdesk.services.errors import InvalidInput

MAX_LINE = 40  # bytes: a phone number with its punctuation, and the newline
READ_SECONDS = 2.0  # a peer that says nothing in this time is dropped
PREFIX, SUFFIX = "pop-", ".sock"
ALLOWED = frozenset("0123456789+-(). ")
_CRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
ANSWERS = ("shown", "queued", "held")


class ChannelRefused(Exception):
    """The pop directory cannot be trusted (or made): said to the person in plain words."""


def pop_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where this user's apps put their sockets (not checked here: see :func:`private_dir`)."""
    env = os.environ if env is None else env
    if env.get("FRONTDESK_RUNTIME_DIR"):
        return Path(env["FRONTDESK_RUNTIME_DIR"])
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "frontdesk"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("frontdesk")) / "run"


def check_private(info: os.stat_result, uid: int) -> str | None:
    """Why a directory with this ``lstat`` may not hold the sockets, or None when it may."""
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a directory"
    if info.st_uid != uid:
        return "it belongs to another user"
    if info.st_mode & 0o077:
        return f"other users may enter it (mode {stat.S_IMODE(info.st_mode):o}; 700 is needed)"
    return None


def private_dir(path: Path, *, create: bool = True) -> Path:
    """``path``, made 0700 when missing; ChannelRefused when it is not this user's own."""
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
    try:
        info = path.lstat()
    except OSError as exc:
        raise ChannelRefused(f"{path}: {exc.strerror or exc}") from None
    why = check_private(info, os.getuid())
    if why is not None:
        raise ChannelRefused(f"{path} is not used: {why}")
    return path


def peer_allowed(credentials: bytes, uid: int) -> bool:
    """Whether the ``SO_PEERCRED`` bytes name a process of ``uid`` (anything unreadable: no)."""
    if len(credentials) != _CRED.size:
        return False
    _pid, peer_uid, _gid = _CRED.unpack(credentials)
    return bool(peer_uid == uid)


def peer_credentials(sock: socket.socket | object) -> bytes:
    """The connected peer's credentials, as the kernel gives them (b"" where it cannot)."""
    option = getattr(socket, "SO_PEERCRED", None)
    getsockopt = getattr(sock, "getsockopt", None)
    if option is None or getsockopt is None:
        return b""
    try:
        return bytes(getsockopt(socket.SOL_SOCKET, option, _CRED.size))
    except OSError:
        return b""


def read_number(line: bytes) -> str | None:
    """The E.164 number a line holds, or None for anything else (too long, not ASCII, other
    characters, not a valid number)."""
    if len(line) > MAX_LINE:
        return None
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if not text or not set(text) <= ALLOWED:
        return None
    from frontdesk.services.phones import e164

    try:
        return e164(text)
    except InvalidInput:
        return None


class Listener:
    """The app's end: ``deliver(number)`` runs on the event loop for each number a peer of the
    app's own uid hands over, and says what became of it (one of :data:`ANSWERS`)."""

    def __init__(self, directory: Path, deliver: Callable[[str], str]) -> None:
        self.directory = directory
        self.deliver = deliver
        self.path: Path | None = None
        self._inode: tuple[int, int] | None = None
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> Path:
        """Listen (ChannelRefused or OSError when it cannot). A stale socket of the same name
        (this pid, an app long gone) is replaced in one rename, never deleted first."""
        if getattr(socket, "SO_PEERCRED", None) is None:
            raise ChannelRefused("this system cannot tell who connects to a local socket")
        folder = private_dir(self.directory)
        path = folder / f"{PREFIX}{os.getpid()}{SUFFIX}"
        temporary = folder / f".{PREFIX}{os.getpid()}-{secrets.token_hex(4)}.new"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(temporary))
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
            sock.listen(8)
            sock.setblocking(False)
            self._server = await asyncio.start_unix_server(self._answer, sock=sock,
                                                           limit=MAX_LINE * 2)
        except BaseException:
            sock.close()
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        info = path.lstat()
        self.path, self._inode = path, (info.st_dev, info.st_ino)
        return path

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not peer_allowed(peer_credentials(writer.get_extra_info("socket")), os.getuid()):
                return  # another user: not a word back
            try:
                line = await asyncio.wait_for(reader.readline(), READ_SECONDS)
            except (TimeoutError, ValueError, asyncio.LimitOverrunError, OSError):
                return
            number = read_number(line)
            answer = "ERR not a phone number" if number is None else f"OK {self.deliver(number)}"
            writer.write(answer.encode("ascii") + b"\n")
            with contextlib.suppress(OSError):
                await asyncio.wait_for(writer.drain(), READ_SECONDS)
        except Exception:  # a peer's trouble never reaches the app
            return
        finally:
            writer.close()

    def close(self) -> None:
        """Stop listening and remove the socket, when the name is still this app's."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                info = self.path.lstat()
                if (info.st_dev, info.st_ino) == self._inode:
                    self.path.unlink()
            self.path = None


def hand_over(number: str, directory: Path, *, timeout: float = READ_SECONDS) -> str | None:
    """Give ``number`` (E.164) to the newest running app of this user: what it did with it
    (one of :data:`ANSWERS`), or None when no app answered. ChannelRefused when the directory
    is not private (nothing is sent through it)."""
    if not directory.exists():
        return None
    private_dir(directory, create=False)
    uid = os.getuid()
    sockets: list[tuple[int, Path]] = []
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISSOCK(info.st_mode) and info.st_uid == uid:
            sockets.append((info.st_mtime_ns, path))
    for _, path in sorted(sockets, reverse=True):
        answer = _ask(path, number, uid, timeout)
        if answer is not None:
            return answer
    return None


def _ask(path: Path, number: str, uid: int, timeout: float) -> str | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except ConnectionRefusedError:  # its app is gone: the name goes too
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        except OSError:
            return None
        if not peer_allowed(peer_credentials(sock), uid):
            return None
        try:
            sock.sendall(number.encode("ascii") + b"\n")
            reply = sock.recv(64)
        except OSError:
            return None
    words = reply.decode("ascii", "replace").split()
    if len(words) == 2 and words[0] == "OK" and words[1] in ANSWERS:
        return words[1]
    return None
