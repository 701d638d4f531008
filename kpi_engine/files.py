"""Files the user meant: inputs that are regular files of bounded size, outputs that never destroy anything by surprise.

Reading (packs, facts, pack tests):
    check_regular_file  refuses a device (`/dev/zero`), a FIFO (which would block forever), a
                        folder or a socket, and a file over `max_bytes` (MAX_INPUT_BYTES by default)
    read_bounded        the bytes of such a file, never more than `max_bytes` even if it grows

Writing (`kpi report -o`, `kpi init`, `kpi evaluate -o`, any command that writes files), `write_outputs`
(or `write_output`, for one output streamed as it is computed):
    - never overwrites an input of the same command: same resolved path, or same device and
      inode (a symbolic or hard link to the facts or the pack is the facts or the pack);
    - never writes through a symbolic link, and never outside the folder the output belongs to
      (for `kpi init d`, `d`; a link `d/tests -> /etc` is refused);
    - never replaces an existing file unless `force` (`--force`), and never replaces anything
      that is not a regular file (`-o /dev/null`: use `-o -` for standard output);
    - writes atomically: a temporary file in the same folder, renamed over the target, so a
      failure leaves the old file whole.
Every refusal is checked before anything is written, and reported at once.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import Location, Problem
from .formatting import Language
from .reasons import Reason

MAX_INPUT_BYTES = 256 * 1024 * 1024
"""The largest pack, facts or test file read (256 MiB): far above a real ledger export, far below what exhausts memory."""

@dataclass(frozen=True)
class FileRefusal:
    """Why a file is not read or not written: a `pack_messages` code and its parameters, worded per language at the edge.

    A `file_kind` parameter is the kind of file found instead (`dir`, `fifo`...), worded by `file_<kind>`."""

    path: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def reason(self) -> Reason:
        return Reason.of(self.code, **{key: Reason.of(f"file_{value}") if key == "file_kind" else value for key, value in self.params})

    def message(self, lang: Language = "en") -> str:
        """The reason, in the reader's language."""
        return self.reason.text(lang)

    def text(self, lang: Language = "en") -> str:
        """`PATH: reason`, for the command line."""
        return f"{self.path}: {self.message(lang)}"

    def problem(self, lang: Language = "en") -> Problem:
        """The refusal as a located problem, for readers that collect problems; worded in any language by
        `Problem.text`, so `lang` (kept for the facts readers that pass it) no longer changes it."""
        return Problem.of(Location(self.path), self.reason)


class OutputRefused(Exception):
    """Raised by `write_outputs` with every refusal; nothing has been written."""

    def __init__(self, refusals: Sequence[FileRefusal]) -> None:
        super().__init__("; ".join(r.text() for r in refusals))
        self.refusals = tuple(refusals)


def _kind(mode: int) -> str:
    checks = (("dir", stat.S_ISDIR), ("fifo", stat.S_ISFIFO), ("chr", stat.S_ISCHR), ("blk", stat.S_ISBLK), ("sock", stat.S_ISSOCK))
    return next((name for name, check in checks if check(mode)), "other")


def check_regular_file(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> FileRefusal | None:
    """None when `path` is a regular file (links followed) of at most `max_bytes`, else why it is refused.

    `stat` never blocks, even on a FIFO, where opening would wait for a writer forever.
    """
    try:
        status = path.stat()
    except OSError as error:
        return _unreadable(path, error)
    if not stat.S_ISREG(status.st_mode):
        return FileRefusal(str(path), "not_regular", (("file_kind", _kind(status.st_mode)),))
    if status.st_size > max_bytes:
        return FileRefusal(str(path), "too_large", (("limit", str(max_bytes)),))
    return None


def _unreadable(path: Path, error: OSError) -> FileRefusal:
    return FileRefusal(str(path), "unreadable", (("error", error.strerror or str(error)),))


def read_bounded(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes | FileRefusal:
    """The bytes of a regular file of at most `max_bytes`; a file that grows past it while read is refused too."""
    refusal = check_regular_file(path, max_bytes)
    if refusal is not None:
        return refusal
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        return _unreadable(path, error)
    return FileRefusal(str(path), "too_large", (("limit", str(max_bytes)),)) if len(data) > max_bytes else data


def _status(path: Path) -> os.stat_result | None:
    """The file's status, links followed; None when there is no such file (or it cannot be reached)."""
    try:
        return path.stat()
    except OSError:
        return None


def output_refusals(outputs: Sequence[Path], inputs: Sequence[Path], folder: Path | None = None, force: bool = False) -> list[FileRefusal]:
    """Every reason not to write `outputs` (see the module's rules); `folder` is where they must stay, when there is one."""
    identities = {(status.st_dev, status.st_ino): path for path in inputs if (status := _status(path)) is not None}
    return [refusal for output in outputs if (refusal := _output_refusal(output, identities, folder, force)) is not None]


def _output_refusal(output: Path, inputs: Mapping[tuple[int, int], Path], folder: Path | None, force: bool) -> FileRefusal | None:
    name = str(output)
    if folder is not None and not output.resolve().is_relative_to(folder.resolve()):
        return FileRefusal(name, "outside", (("folder", str(folder)),))
    status = _status(output)
    if status is not None and (status.st_dev, status.st_ino) in inputs:
        return FileRefusal(name, "is_input", (("input", str(inputs[status.st_dev, status.st_ino])),))
    if output.is_symlink():
        return FileRefusal(name, "symlink")
    if status is None:
        return None
    if not stat.S_ISREG(status.st_mode):
        return FileRefusal(name, "not_writable_kind", (("file_kind", _kind(status.st_mode)),))
    return None if force else FileRefusal(name, "exists")


def write_outputs(texts: Mapping[Path, str | bytes], inputs: Sequence[Path], folder: Path | None = None, force: bool = False) -> None:
    """Write each text to its path under the module's rules, or raise OutputRefused and write nothing.

    Folders are created as needed inside `folder`, when there is one; each file is written to a temporary
    file beside it and renamed over the target, so readers never see half a file.
    """
    refusals = output_refusals(list(texts), inputs, folder, force)
    if refusals:
        raise OutputRefused(refusals)
    for path, text in texts.items():
        try:
            if folder is not None:  # a command writing a folder (kpi init) creates it; a single output's folder must exist
                path.parent.mkdir(parents=True, exist_ok=True)
            data = text if isinstance(text, bytes) else text.encode("utf-8")  # bytes: a PDF or a workbook
            _replace_atomically(path, functools.partial(_write_bytes, data))
        except OSError as error:
            raise _unwritable(path, error) from None


def _write_bytes(data: bytes, stream: BinaryIO) -> None:
    stream.write(data)


def write_output(path: Path, inputs: Sequence[Path], fill: Callable[[BinaryIO], None], force: bool = False) -> None:
    """Write one output under the module's rules as `fill` streams it, never held whole in memory (`kpi evaluate -o`).

    Raises OutputRefused, with nothing written, when it would be refused; an exception in `fill` leaves the
    old file (or none) in place, since `fill` writes to the temporary file.
    """
    refusals = output_refusals([path], inputs, None, force)
    if refusals:
        raise OutputRefused(refusals)
    try:
        _replace_atomically(path, fill)
    except OSError as error:
        raise _unwritable(path, error) from None


def _unwritable(path: Path, error: OSError) -> OutputRefused:
    return OutputRefused([FileRefusal(str(path), "unwritable", (("error", error.strerror or str(error)),))])


def _replace_atomically(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """A temporary file beside `path`, filled, then renamed over it; it gets the replaced file's permissions, or the umask's for a new file."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            fill(stream)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    """The process's umask (it can only be read by setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
