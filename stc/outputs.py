"""Output files written all or none: reports and exports land whole, or not at all.

Each file goes to a temporary `NAME.XXXXXXXX.part` beside its target (the same folder, so the
final rename is atomic and needs no space), and all of them are renamed into place only when
every one was written. A failure or Ctrl-C on the way removes the temporary files and leaves
every file that was there before exactly as it was.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stc.errors import StcError, disk_full


class Outputs:
    """The files staged so far; `write` stages one, `commit` moves them all into place."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []  # temporary file, target

    def temporary(self, path: Path) -> Path:
        """A new empty temporary file that becomes `path` on commit, for writers that want a
        path rather than bytes."""
        while True:
            candidate = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
            try:
                with candidate.open("xb"):  # exclusive: never another process's file
                    break
            except FileExistsError:
                continue
            except OSError as exc:
                raise _unwritable(path, exc) from None
        self._staged.append((candidate, path))
        return candidate

    def write(self, path: Path, data: bytes) -> None:
        temporary = self.temporary(path)
        try:
            temporary.write_bytes(data)
        except OSError as exc:
            raise _unwritable(path, exc) from None

    def commit(self) -> None:
        for _, target in self._staged:
            if target.is_dir():
                raise StcError("E132", path=str(target), detail="it is a folder")
        for temporary, target in self._staged:
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise _unwritable(target, exc) from None
        self._staged.clear()

    def discard(self) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged.clear()


def _unwritable(path: Path, exc: OSError) -> StcError:
    if exc.errno == errno.ENOENT and not path.parent.is_dir():
        return StcError("E140", folder=str(path.parent))
    if exc.errno == errno.ENOSPC:
        return disk_full(OSError(exc.errno, exc.strerror, str(path)))
    return StcError("E132", path=str(path), detail=exc.strerror or str(exc))


@contextmanager
def all_or_none() -> Iterator[Outputs]:
    """Stage files inside the block; they replace their targets when it ends without an
    error, and vanish when it does not."""
    outputs = Outputs()
    try:
        yield outputs
        outputs.commit()
    finally:
        outputs.discard()  # after a commit nothing is left to discard


def write_atomically(path: Path, data: bytes) -> None:
    """One file, all of it or none: readers never see half a file, and an interrupted
    write (Ctrl-C, a full disk) leaves nothing behind."""
    with all_or_none() as outputs:
        outputs.write(path, data)


def make_folder(folder: Path, parents: bool = False) -> bool:
    """Make `folder` for outputs unless it exists; whether it was made. A folder the user
    named (`parents` false) is made only inside one that exists (E140): a mistyped path is
    no place to put reports."""
    if folder.is_dir():
        return False
    if not parents and not folder.parent.is_dir():
        raise StcError("E140", folder=str(folder.parent))
    try:
        folder.mkdir(parents=parents)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    return True
