"""Opening zip containers (.docx, .odt, and later .qdpx) without trusting them.

Limits: at most MAX_MEMBERS entries, MAX_UNPACKED bytes unpacked in all, MAX_RATIO between an
entry's unpacked and packed size (zip bombs), and no entry name that climbs out of the archive.
The text a reader makes of any file is bounded the same way (`max_text`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from stc.errors import BadInput

MAX_MEMBERS = 10_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
TEXT_SLACK = 1024 * 1024


def max_text(data: bytes) -> int:
    """The most characters of text any reader may make of a file of these bytes: bounded by
    its size, as the zip checks bound an archive's entries."""
    return MAX_RATIO * len(data) + TEXT_SLACK


def check_members(path: Path, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BadInput("E110", path=str(path), detail=f"{len(infos)} entries")
    total = 0
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts:
            detail = f"entry {info.filename!r} leaves the archive"
            raise BadInput("E110", path=str(path), detail=detail)
        total += info.file_size
        packed = max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and info.file_size / packed > MAX_RATIO:
            raise BadInput("E110", path=str(path),
                           detail=f"entry {info.filename!r} unpacks {info.file_size // packed}x")
    if total > MAX_UNPACKED:
        raise BadInput("E110", path=str(path), detail=f"{total} bytes unpacked")
    _check_intact(path, archive, infos)


def _check_intact(path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Every entry unpacks, and to what its checksum says, before a reader looks at any:
    a damaged or encrypted entry is the archive's problem, said so, and not a reader's."""
    locked = next((info.filename for info in infos if info.flag_bits & 0x1), None)
    if locked is not None:
        raise BadInput("E110", path=str(path), detail=f"entry {locked!r} is encrypted")
    try:
        bad = archive.testzip()  # reads every entry through; the checks above bound them
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError) as exc:
        raise BadInput("E110", path=str(path),
                       detail=f"an entry cannot be unpacked ({str(exc)[:80]})") from None
    if bad is not None:
        raise BadInput("E110", path=str(path),
                       detail=f"entry {bad!r} is damaged (its checksum does not match)")


def open_checked_zip(path: Path, data: bytes, required: str, kind: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput("E109", path=str(path), kind=kind, detail=str(exc)[:80]) from None
    check_members(path, archive)
    if required not in archive.namelist():
        raise BadInput("E109", path=str(path), kind=kind, detail=f"no {required}")
    return archive
