"""Writing files and standard output safely: the only place bptui writes anything.

What it promises (and the README's "What bptui guarantees" repeats):

- a file is written atomically: chunk by chunk into a temporary file beside it, then renamed,
  so a reader never sees half a document and a failure leaves nothing behind;
- an existing file is never replaced without ``force``, and even with ``force`` only a regular
  file is replaced: never a device (``/dev/full``), a FIFO, a folder or anything else;
- the files bptui reads (the scenario) are never written, whatever their spelling, a symlink or
  a hard link to them: they are compared by device and inode, not by name;
- every failure of the operating system (a name too long, a folder that is not one, no
  permission, a full disk) becomes one :class:`BptuiError` line, never a traceback.

Text is taken as an iterable of chunks so that a long document (``--export json --epochs N``)
is streamed and never held in memory whole.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bptui.errors import BptuiError, OutputError
from bptui.i18n import _
from bptui.visible import visible


def why(exc: OSError) -> str:
    """The operating system's reason in words, without Python's ``[Errno 36]`` decoration."""
    if exc.errno == errno.ENAMETOOLONG:
        return _("the file name is too long for the file system")
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _shown(path: str | os.PathLike) -> str:
    """A path for a one-line message: control characters visible, very long names cut."""
    text = visible(os.fspath(path), keep_newlines=False)
    return text if len(text) <= 120 else text[:60] + "…" + text[-40:]


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file (any spelling, a symlink, a hard link)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_target(path: str | os.PathLike, *, force: bool,
                 protect: Iterable[str | os.PathLike] = ()) -> Path:
    """Refuse a target that must not be written; returns it as a Path.

    ``protect``: the files this run reads (the scenario). They are refused even with ``force``.
    """
    if not os.fspath(path).strip():  # Path("") is "." (the working folder)
        raise BptuiError(_("the output file name is empty"))
    target = Path(path)
    shown = _shown(target)
    for read in protect:
        if same_file(target, read):
            raise BptuiError(_("{path}: is the scenario file being read; bptui never writes the "
                               "files it reads (choose another output name)", path=shown))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise BptuiError(_("{path}: cannot be written: a part of the folder path is not a "
                               "folder", path=shown)) from None
        raise BptuiError(_("{path}: cannot be written: {why}", path=shown, why=why(exc))) from None
    except ValueError:  # an embedded NUL
        raise BptuiError(_("{path}: not a usable file name", path=shown)) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise BptuiError(_("{path}: is a folder, expected a file name", path=shown))
        if not stat.S_ISREG(info.st_mode):
            raise BptuiError(_("{path}: is not a regular file (a device, FIFO or socket); "
                               "bptui only writes regular files, even with --force", path=shown))
        if not force:
            raise BptuiError(_("{path}: already exists; not overwritten (use --force to "
                               "replace it)", path=shown))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BptuiError(_("{path}: the folder {folder} does not exist", path=shown,
                           folder=_shown(folder)))
    return target


def write(path: str | os.PathLike, chunks: str | Iterable[str], *, force: bool = False,
          protect: Iterable[str | os.PathLike] = ()) -> Path:
    """Write ``chunks`` (a string or an iterable of strings) to ``path`` atomically.

    Refuses an existing file unless ``force``; refuses anything but a regular file and any
    file in ``protect`` always. Each chunk is written as it comes, so memory stays bounded.
    """
    protect = list(protect)
    target = check_target(path, force=force, protect=protect)
    shown = _shown(target)
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # only when writing: it brings shutil, random, bz2, lzma (start-up ms)

    with _ended_cleanly():
        return _write_through(target, shown, folder, chunks, force, protect, tempfile)


class _Ended(SystemExit):
    """SIGTERM or SIGHUP while a file is being written (a closed terminal, ``timeout``,
    ``kill``): the process ends as it would (status 128 + the signal), but through the
    writer's cleanup, so that no temporary file is left behind (Python's default for these
    signals ends the process where it stands)."""


@contextmanager
def _ended_cleanly():
    import signal

    def end(signum: int, _frame: object) -> None:
        raise _Ended(128 + signum)

    kept = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            kept.append((number, signal.signal(number, end)))
        except (ValueError, OSError):  # not the main thread: Python's defaults stay
            pass
    try:
        yield
    finally:
        for number, handler in kept:
            signal.signal(number, handler)


def _write_through(target: Path, shown: str, folder: Path, chunks: str | Iterable[str],
                   force: bool, protect: list, tempfile) -> Path:
    """:func:`write` from its temporary file on: written, synced, then linked or renamed."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".bptui-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise BptuiError(_("{path}: cannot be written: {why}", path=shown, why=why(exc))) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a handout, readable as any new file would be
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for chunk in [chunks] if isinstance(chunks, str) else chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        # check again just before the rename: the target may have appeared meanwhile
        check_target(target, force=force, protect=protect)
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the file appeared meanwhile: never overwrite
            except FileExistsError:
                raise BptuiError(_("{path}: already exists; not overwritten (use --force to "
                                   "replace it)", path=shown)) from None
            except OSError:  # a file system without hard links
                if os.path.lexists(target):
                    raise BptuiError(_("{path}: already exists; not overwritten",
                                       path=shown)) from None
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
    except OSError as exc:
        raise BptuiError(_("{path}: cannot be written: {why}", path=shown, why=why(exc))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def to_stdout(chunks: str | Iterable[str], out: TextIO | None = None) -> None:
    """Write ``chunks`` to standard output as they come; a full disk is one line, exit 2.

    A closed pipe (``| head``) is not an error of ours: :func:`quiet_broken_pipe` ends the run
    quietly. Any other failure to write (``> /dev/full``) becomes a :class:`BptuiError`.
    """
    out = out or sys.stdout
    try:
        for chunk in [chunks] if isinstance(chunks, str) else chunks:
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(_("cannot write to standard output: {why}", why=why(exc))) from None


def quiet_broken_pipe() -> None:
    """After the reader of our output went away: point stdout at /dev/null so that Python's
    final flush does not print 'Exception ignored ... BrokenPipeError' on stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def flush_stdout() -> None:
    """Flush stdout now, so that a full disk is reported by us rather than at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(_("cannot write to standard output: {why}", why=why(exc))) from None


#: How a served session's export folder is named: the prefix, then the pid of its process.
SESSION_PREFIX = "bptui-session-"


def new_session_folder(root: str | os.PathLike) -> Path:
    """A new private folder (mode 700) in ``root`` for one served session's exports, named
    after this process and removed when the process ends (a served session is one process).

    A session's process that was killed cannot clean up after itself, so the folders of
    sessions whose process is gone are removed first: the folders kept are those of the
    sessions still running, each capped by :func:`session_folder`."""
    import atexit
    import tempfile

    sweep_session_folders(root)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{SESSION_PREFIX}{os.getpid()}-", dir=root))
    except OSError as exc:
        raise BptuiError(_("cannot make this session's export folder in {folder}: {why}",
                           folder=_shown(root), why=why(exc))) from None
    atexit.register(remove_session_folder, folder)
    return folder


def remove_session_folder(folder: str | os.PathLike) -> None:
    """Remove a session's folder and what it holds (symlinks inside are not followed)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 only asks; it sends nothing)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # another user's process
        return True
    except (ProcessLookupError, OverflowError):
        return False
    return True


def sweep_session_folders(root: str | os.PathLike) -> list[Path]:
    """Remove the session folders in ``root`` that are ours (this user's, real folders, not
    links) and whose process has ended; returns those removed."""
    removed: list[Path] = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        pid_text = name[len(SESSION_PREFIX):].split("-", 1)[0]
        if not name.startswith(SESSION_PREFIX) or not pid_text.isdigit():
            continue
        path = Path(root) / name
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                or _alive(int(pid_text))):
            continue
        remove_session_folder(path)
        removed.append(path)
    return removed


def session_folder(root: str | os.PathLike, *, max_files: int, max_bytes: int) -> Path:
    """A folder that may hold at most ``max_files`` files and ``max_bytes`` bytes in all
    (used by a served screen: a remote viewer never writes to the server's working folder).

    Raises :class:`BptuiError` when the folder is full."""
    folder = Path(root)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    used = sum(p.stat().st_size for p in files)
    if len(files) >= max_files or used >= max_bytes:
        raise BptuiError(_("the export folder {folder} is full ({files} files, {used} bytes; at "
                           "most {most} files, {bytes} bytes per session)", folder=folder,
                           files=len(files), used=f"{used:,}", most=max_files,
                           bytes=f"{max_bytes:,}"))
    return folder


def free_path(folder: str | os.PathLike, stem: str, suffix: str = ".md") -> Path:
    """``stem.md`` in ``folder``, or ``stem-2.md``, ``stem-3.md``... whichever does not exist
    yet (one directory listing, not a stat per earlier name)."""
    folder = Path(folder)
    try:
        taken = set(os.listdir(folder))
    except OSError:
        taken = set()
    name, n = f"{stem}{suffix}", 2
    while name in taken:
        name = f"{stem}-{n}{suffix}"
        n += 1
    return folder / name
