"""The caller pop's local channel: a running app listens on a Unix socket that only its own OS
user can reach, and ``frontdesk call --from NUMBER`` hands it the number.

- **Where**: ``$XDG_RUNTIME_DIR/frontdesk`` (the user's own runtime directory, made by the login),
  else ``frontdesk/run`` under the user's cache directory; ``$FRONTDESK_RUNTIME_DIR`` overrides
  both (tests). The directory is made 0700 and refused when it is not a directory of this user's
  or anyone else may enter it; each socket is 0600.
- **Who**: the listener reads the peer's credentials from the kernel (``SO_PEERCRED``) and
  answers only a peer of its own uid; the client checks the listener's the same way.
- **What**: the listener speaks first, ``FRONTDESK-POP 2 <database>`` (:func:`database_tag`:
  a hash naming the database the app is on, never its URL). The client sends nothing to an app
  that does not greet within its timeout (stopped, hung) or is on another database; otherwise
  one line, ``<number> <sent>``: the number (E.164) and the wall-clock time it was sent (UTC
  seconds), at most :data:`MAX_LINE` bytes. A line older than :data:`FRESH_SECONDS` when the
  app reads it is dropped (``ERR too late``): the sender has given up on it, and may have
  handed the number to another session. The answer is ``OK shown``, ``OK queued``, ``OK held``
  or ``ERR …``. Nothing else is read, and nothing the peer sends is ever run.
- **Several sessions of one user**: each app has its own socket, ``pop-<host>-<pid>.sock``
  (the host's name too: a home directory shared over NFS holds other machines' sockets, which
  are never touched); the client hands the number to the newest app of this host and this
  database that answers (the session started last wins) and removes the sockets of this host's
  apps that are gone.

Standard library only (and phonenumbers, on the first number read): the command line's
hand-over loads no database code.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import socket
import stat
import struct
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from frontdesk.services.errors import InvalidInput

MAX_LINE = 64  # bytes: a phone number with its punctuation, the time sent, the newline
MAX_NUMBER = 40  # bytes of the number itself
READ_SECONDS = 2.0  # a peer that says nothing in this time is dropped; the greeting's wait
FRESH_SECONDS = 3.0  # a number read later than this after it was sent is dropped
GREETING = "FRONTDESK-POP 2"
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


def database_tag(target: str) -> str:
    """A short hash naming the database ``target`` (a SQLite path or a SQLAlchemy URL, as
    ``--db`` gives it): the same for every spelling of one SQLite file; a URL's password is
    left out before hashing. Says nothing of the URL itself."""
    text = target.strip()
    if "://" not in text:
        key = "memory" if text in ("", ":memory:") else \
            f"sqlite:///{Path(text).expanduser().resolve()}"
    else:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme.startswith("sqlite"):
            path = text.split("://", 1)[1]
            path = path[1:] if path.startswith("/") else path  # sqlite:///relative, ////abs
            key = "memory" if path in ("", ":memory:") else \
                f"sqlite:///{Path(path.split('?', 1)[0]).expanduser().resolve()}"
        else:
            host = parts.hostname or ""
            netloc = (f"{parts.username}@" if parts.username else "") + host + (
                f":{parts.port}" if parts.port else "")
            key = urlunsplit((scheme, netloc, parts.path, "", ""))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def host_name() -> str:
    """This machine's name as a socket's name may hold it."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "host"


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


def read_line(line: bytes) -> tuple[str, float] | None:
    """The E.164 number and the time sent (UTC seconds) a line ``<number> <sent>`` holds, or
    None for anything else."""
    if len(line) > MAX_LINE:
        return None
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    number, _, sent = text.rpartition(" ")
    if not re.fullmatch(r"[0-9]{1,12}(?:\.[0-9]{1,6})?", sent, re.ASCII):
        return None
    found = read_number(number.encode("ascii"))
    return None if found is None else (found, float(sent))


def read_number(line: bytes) -> str | None:
    """The E.164 number a line holds, or None for anything else (too long, not ASCII, other
    characters, not a valid number)."""
    if len(line) > MAX_NUMBER:
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
    app's own uid hands over, and says what became of it (one of :data:`ANSWERS`).
    ``database``: the :func:`database_tag` of the app's database, said in the greeting."""

    def __init__(self, directory: Path, deliver: Callable[[str], str], *, database: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.deliver = deliver
        self.database = database
        self.clock = clock
        self.path: Path | None = None
        self._inode: tuple[int, int] | None = None
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> Path:
        """Listen (ChannelRefused or OSError when it cannot). A stale socket of the same name
        (this host and pid, an app long gone) is replaced in one rename, never deleted first;
        the name appears only once the socket listens (a client never finds it refusing)."""
        if getattr(socket, "SO_PEERCRED", None) is None:
            raise ChannelRefused("this system cannot tell who connects to a local socket")
        folder = private_dir(self.directory)
        me = f"{host_name()}-{os.getpid()}"
        path = folder / f"{PREFIX}{me}{SUFFIX}"
        temporary = folder / f".{PREFIX}{me}-{secrets.token_hex(4)}.new"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(temporary))
            os.chmod(temporary, 0o600)
            sock.listen(8)
            os.replace(temporary, path)
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
            writer.write(f"{GREETING} {self.database}\n".encode("ascii"))
            try:
                await asyncio.wait_for(writer.drain(), READ_SECONDS)
                line = await asyncio.wait_for(reader.readline(), READ_SECONDS)
            except (TimeoutError, ValueError, asyncio.LimitOverrunError, OSError):
                return
            if not line:
                return  # the client went away without a word (another database)
            read = read_line(line)
            if read is None:
                answer = "ERR not a phone number"
            elif abs(self.clock() - read[1]) > FRESH_SECONDS:
                answer = "ERR too late"  # the sender gave up on it: never shown now
            else:
                answer = f"OK {self.deliver(read[0])}"
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


def hand_over(number: str, directory: Path, *, database: str,
              timeout: float = READ_SECONDS) -> str | None:
    """Give ``number`` (E.164) to the newest running app of this user on this host and on the
    database ``database`` (its :func:`database_tag`): what it did with it (one of
    :data:`ANSWERS`), or None when no such app answered. ChannelRefused when the directory is
    not private (nothing is sent through it)."""
    if not directory.exists():
        return None
    private_dir(directory, create=False)
    uid = os.getuid()
    sockets: list[tuple[int, Path]] = []
    for path in directory.glob(f"{PREFIX}{host_name()}-*{SUFFIX}"):
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISSOCK(info.st_mode) and info.st_uid == uid:
            sockets.append((info.st_mtime_ns, path))
    for _, path in sorted(sockets, reverse=True):
        answer = _ask(path, number, uid, database, timeout)
        if answer is not None:
            return answer
    return None


def _ask(path: Path, number: str, uid: int, database: str, timeout: float) -> str | None:
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
            greeting = _line(sock, time.monotonic() + timeout)
            if greeting != f"{GREETING} {database}":
                return None  # stopped or hung (nothing sent to it), or another database
            sock.sendall(f"{number} {time.time():.3f}\n".encode("ascii"))
            reply = _line(sock, time.monotonic() + FRESH_SECONDS + 0.5)
        except OSError:
            return None
    words = (reply or "").split()
    if len(words) == 2 and words[0] == "OK" and words[1] in ANSWERS:
        return words[1]
    return None


def _line(sock: socket.socket, deadline: float) -> str | None:
    """One line from ``sock`` before ``deadline`` (monotonic), without its newline; None when
    it does not come in time or is too long. (TimeoutError is an OSError.)"""
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or len(data) > MAX_LINE:
            return None
        sock.settimeout(left)
        chunk = sock.recv(MAX_LINE)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\n", 1)[0].decode("ascii", "replace").strip()
