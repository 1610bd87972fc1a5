"""A project's life outside the analysis: where its folder lies, copies of it, and its end.

- `sync_notice`: a project inside a folder that OneDrive, Dropbox, Google Drive or iCloud Drive
  keeps in sync is told once that those clients copy `stc.db` without its write-ahead log and
  keep old versions (so erased text survives in their history).
- `backup`: a consistent copy of a project that may be open, taken through SQLite's online
  backup API, verified before it is kept.
- `pack` / `unpack`: the project as one file (a zip with a manifest of SHA-256 hashes) for a
  supervisor; unpacking checks the archive as the importers do, then the manifest, then the
  trail, and keeps nothing unless all of it holds.
- `close`: the project's end date: every transcript erased, the closing recorded; a closed
  project takes no new analysis (`Batch.require_open`). The archive written before it is made
  in `stc.reports.archive`, which calls this.

Every folder is written beside its destination under a temporary name and renamed into place
once complete, so a failure or Ctrl-C leaves no half-written copy.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc.errors import StcError
from stc.project import DATABASE, SETTINGS, Project, closed_at
from stc.sealing import SEALS

# -- sync folders -----------------------------------------------------------------------------

# Folder names the sync clients give the folders they keep in sync (Windows, macOS), matched
# against every folder above the project. On macOS every client now syncs through
# ~/Library/CloudStorage/<Client>-<account>; iCloud Drive keeps ~/Library/Mobile Documents.
_SYNC_FOLDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("OneDrive", re.compile(r"^OneDrive(?: - .+|-.+)?$", re.IGNORECASE)),
    ("Dropbox", re.compile(r"^Dropbox(?: \(.+\))?$", re.IGNORECASE)),
    ("Google Drive", re.compile(r"^(?:Google ?Drive(?:-.+)?|My Drive|Shared drives)$",
                                re.IGNORECASE)),
    ("iCloud Drive", re.compile(r"^(?:iCloud ?Drive|Mobile Documents|com~apple~CloudDocs)$",
                                re.IGNORECASE)),
    ("Box", re.compile(r"^Box(?:-Box| Sync)?$")),
)
# Files and folders a sync client keeps in the root of the folder it syncs.
_SYNC_MARKERS: tuple[tuple[str, str], ...] = (
    (".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"),
    (".tmp.drivedownload", "Google Drive"), (".tmp.driveupload", "Google Drive"),
    # OneDrive for macOS marks the root of its folder with this hidden file
    (".849C9593-D756-4E56-8D6E-42412F2A707B", "OneDrive"),
    (".owncloudsync.log", "Nextcloud"),
)
# Windows gives a synced root folder its client's icon through desktop.ini.
_DESKTOP_INI = (("onedrive", "OneDrive"), ("icloud", "iCloud Drive"),
                ("googledrive", "Google Drive"), ("google drive", "Google Drive"),
                ("dropbox", "Dropbox"))
NOTICE_FILE = ".stc-sync-notice"


def sync_client(folder: Path) -> str | None:
    """The sync client whose folder holds `folder` (by the folder names and the marker files
    of the clients, and OneDrive's environment variables on Windows), or None."""
    path = folder.resolve()
    for variable in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        root = os.environ.get(variable)
        if root and path.is_relative_to(Path(root).resolve()):
            return "OneDrive"
    parts = path.parts
    for index, name in enumerate(parts):
        named = _named_client(name)
        if named:
            return named
        if name == "CloudStorage" and parts[index - 1:index] == ("Library",) \
                and index + 1 < len(parts):  # any client of macOS's File Provider
            child = parts[index + 1]
            return _named_client(child) or child.split("-")[0]
    for place in (path, *path.parents):
        for marker, client in _SYNC_MARKERS:
            if (place / marker).exists():
                return client
        named = _desktop_ini_client(place / "desktop.ini")
        if named:
            return named
    return None


def _named_client(folder: str) -> str | None:
    return next((client for client, pattern in _SYNC_FOLDERS if pattern.match(folder)), None)


def _desktop_ini_client(path: Path) -> str | None:
    try:
        data = path.read_bytes()[:4096]
    except OSError:
        return None
    # Windows writes desktop.ini in UTF-16 (with a byte-order mark) or in the ANSI code page
    text = (data.decode("utf-16", errors="replace") if data[:2] in (b"\xff\xfe", b"\xfe\xff")
            else data.decode("cp1252", errors="replace")).casefold()
    return next((client for word, client in _DESKTOP_INI if word in text), None)


def sync_notice(project: Project) -> str | None:
    """A one-line warning when the project lies in a sync client's folder, once per place:
    the place is remembered in the project folder (NOTICE_FILE), so the next command says
    nothing until the project is moved."""
    client = sync_client(project.root)
    if client is None:
        return None
    where = f"{client}\t{project.root.resolve()}\n"
    remembered = project.root / NOTICE_FILE
    try:
        if remembered.read_text(encoding="utf-8") == where:
            return None
    except (OSError, UnicodeDecodeError):
        pass
    # a folder we may not write to: say it every time rather than never
    with contextlib.suppress(OSError):
        remembered.write_text(where, encoding="utf-8")
    return (f"this project lies in a {client} folder; sync clients copy stc.db without its"
            " write-ahead log (a copy may be damaged or miss recent changes) and keep old"
            " versions, so erased text survives in their history. Keep the project outside"
            " the sync folder and put copies there with `stc backup DEST`.")


# -- copies -----------------------------------------------------------------------------------

def snapshot_database(db_path: Path, target: Path) -> tuple[int, str]:
    """Copy the database through SQLite's online backup API: one consistent state even
    while another process writes, as a single file (no write-ahead log beside it). Returns
    the copy's last change and trail hash."""
    from stc.trail import head

    source = sqlite3.connect(str(db_path), timeout=60)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        return head(copy)
    finally:
        copy.close()
        source.close()


@dataclass
class Copy:
    """What `backup` or `unpack` wrote: the folder, its files, the state it holds."""

    path: Path
    files: int
    last: int
    digest: str


def backup(project: Project, dest: Path) -> Copy:
    """A verified copy of the project in `dest` (new, or empty, and outside the project):
    the database through SQLite's backup API, then the settings, sources, templates,
    reports and seals beside it."""
    import shutil

    with new_folder(dest, project.root) as work:
        last, digest = snapshot_database(project.db_path, work / DATABASE)
        files = 1
        for relative in _files_beside(project.root, work / DATABASE, with_reports=True):
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project.root / relative, target)
            files += 1
        _require_verified(work, dest, last, digest)
    project.record_export("backup", [dest], last)
    return Copy(dest, files, last, digest)


def _files_beside(root: Path, snapshot: Path, with_reports: bool = False) -> list[Path]:
    """The files a copy takes beside the database snapshot, relative to the project folder:
    settings, the originals the snapshot records under sources/ (not what an interrupted
    import left there), templates, seals (in seals/, and any seal file in the folder itself),
    and for a backup the reports."""
    from stc.project import recorded_originals

    conn = sqlite3.connect(f"{snapshot.as_uri()}?mode=ro", uri=True)
    try:
        originals = sorted(Path("sources", name) for name in set(recorded_originals(conn)))
    finally:
        conn.close()
    found = [Path(SETTINGS)] if (root / SETTINGS).is_file() else []
    found += sorted(Path(p.name) for p in root.glob("seal*") if p.is_file())
    found += [p for p in originals if (root / p).is_file()]
    for folder in ("templates", SEALS, *(["reports"] if with_reports else [])):
        base = root / folder
        if base.is_dir():
            found += sorted(p.relative_to(root) for p in base.rglob("*")
                            if p.is_file() and not p.name.endswith(".part"))
    return found


def _require_verified(work: Path, shown: Path, last: int, digest: str, code: str = "E953"
                      ) -> None:
    """Open the copy as a project and verify it: the trail, the state, the originals, and
    that the trail ends at change `last` with hash `digest`. Errors name `shown`."""
    try:
        copy = Project(work)
    except sqlite3.DatabaseError as exc:
        raise StcError(code, path=str(shown), problem=f"stc.db is not a readable database"
                       f" ({exc})") from None
    try:
        verdict = copy.verify()
        head = copy.head()
    except sqlite3.DatabaseError as exc:
        raise StcError(code, path=str(shown), problem=f"stc.db is damaged ({exc})") from None
    finally:
        copy.close()
    if not verdict.ok:
        raise StcError(code, path=str(shown), problem=verdict.problems[0])
    if head != (last, digest):
        raise StcError(code, path=str(shown), problem=f"its trail ends at change #{head[0]}"
                       f" ({head[1][:12]}), not at #{last} ({digest[:12]})")


@contextmanager
def new_folder(dest: Path, project_root: Path | None = None) -> Iterator[Path]:
    """A folder to fill that becomes `dest` when the block ends without an error; `dest`
    must be new or empty (and outside the project). On any error, nothing is left."""
    import secrets
    import shutil

    dest = Path(os.path.abspath(dest))
    if project_root is not None and dest.resolve().is_relative_to(project_root.resolve()):
        raise StcError("E951", path=str(dest), project=str(project_root))
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StcError("E952", path=str(dest))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        work = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
        work.mkdir()
    except OSError as exc:
        raise StcError("E960", path=str(dest), detail=exc.strerror or str(exc)) from None
    try:
        yield work
        if dest.exists():
            dest.rmdir()  # empty, as checked; os.replace cannot put a folder over one on Windows
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


# -- pack and unpack --------------------------------------------------------------------------

PACK_SUFFIX = ".stcpack"
MANIFEST = "manifest.json"
PACK_FORMAT = "stcpack"
PACK_VERSION = 1
# What a pack may hold besides its manifest: the database, the settings, seal files in the
# project folder, and files under sources/, templates/ and seals/.
_PACK_MEMBER = re.compile(r"^(?:stc\.db|stc\.toml|seal[^/]*|(?:sources|templates|seals)/[^:\\]+)$")


@dataclass
class Pack:
    """What `pack` wrote."""

    path: Path
    members: int
    last: int
    digest: str
    seals: list[str] = field(default_factory=list)


def pack(project: Project, file: Path) -> Pack:
    """Write the project as one file: a zip of the database snapshot, the settings, the
    sources, the templates and any seal files, with a manifest of their SHA-256 hashes."""
    import tempfile
    import zipfile

    from stc import __version__

    file = Path(os.path.abspath(file))
    if file.suffix.lower() != PACK_SUFFIX:
        raise StcError("E964", path=str(file))
    if file.exists():
        raise StcError("E959", path=str(file))
    with tempfile.TemporaryDirectory(prefix="stc-pack-") as scratch:
        snapshot = Path(scratch) / DATABASE
        last, digest = snapshot_database(project.db_path, snapshot)
        members = {DATABASE: snapshot, **{p.as_posix(): project.root / p
                                          for p in _files_beside(project.root, snapshot)}}
        hashes = {name: _sha256_file(path) for name, path in members.items()}
        manifest = {"format": PACK_FORMAT, "version": PACK_VERSION, "stc": __version__,
                    "title": project.title, "last_change": last, "trail_hash": digest,
                    "members": hashes}
        temporary = file.with_name(file.name + ".part")
        try:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, _json(manifest))
                for name, path in members.items():
                    archive.write(path, name)
            os.replace(temporary, file)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise StcError("E960", path=str(file), detail=exc.strerror or str(exc)) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    seals = sorted(n for n in members if n.startswith("seal") and not n.endswith(".sig"))
    project.record_export("pack", [file], last)
    return Pack(file, len(members), last, digest, seals)


def unpack(file: Path, dest: Path) -> Copy:
    """Unpack a pack into `dest` (new or empty) and keep it only when everything holds: the
    archive passes the importers' guards, every member is listed in the manifest with its
    hash and every listed member is there, and the trail verifies and ends where the manifest
    says. Otherwise nothing is left and the error says what was wrong."""
    import zipfile

    from stc.formats.zipguard import check_members

    file = Path(os.path.abspath(file))
    if not file.is_file():
        raise StcError("E101", path=str(file))
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StcError("E954", path=str(file), detail=_zip_problem(exc)) from None
    with archive, new_folder(dest) as work:
        check_members(file, archive)
        manifest = _manifest(file, archive)
        members: dict[str, str] = manifest["members"]
        present = {i.filename for i in archive.infolist() if not i.is_dir()} - {MANIFEST}
        _require_same_members(file, set(members), present)
        for name, expected in sorted(members.items()):
            _extract_checked(file, archive, name, expected, work)
        _require_verified(work, file, int(manifest["last_change"]),
                          str(manifest["trail_hash"]), code="E957")
        return Copy(dest, len(members), int(manifest["last_change"]),
                    str(manifest["trail_hash"]))


def _zip_problem(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return "it is not a zip archive: damaged, cut short, or not a pack at all"


def _manifest(file: Path, archive: Any) -> dict[str, Any]:
    import json

    try:
        data = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise StcError("E954", path=str(file), detail=f"it holds no {MANIFEST}") from None
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise StcError("E954", path=str(file), detail=f"its {MANIFEST} is unreadable ({exc})"
                       ) from None
    if not isinstance(data, dict) or data.get("format") != PACK_FORMAT:
        raise StcError("E954", path=str(file), detail=f"its {MANIFEST} is not an stc pack's")
    if not isinstance(data.get("version"), int) or data["version"] > PACK_VERSION:
        raise StcError("E961", path=str(file), found=data.get("version"))
    members = data.get("members")
    if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in members.items()) \
            or not isinstance(data.get("last_change"), int) \
            or not isinstance(data.get("trail_hash"), str):
        raise StcError("E954", path=str(file), detail=f"its {MANIFEST} is incomplete")
    return data


def _require_same_members(file: Path, listed: set[str], present: set[str]) -> None:
    missing, unlisted = sorted(listed - present), sorted(present - listed)
    strange = sorted(n for n in listed if not _PACK_MEMBER.fullmatch(n))
    if DATABASE not in listed and DATABASE not in missing:
        missing.insert(0, DATABASE)
    if missing or unlisted or strange:
        detail = "; ".join(part for part in (
            f"missing: {', '.join(missing)}" if missing else "",
            f"not in the manifest: {', '.join(unlisted)}" if unlisted else "",
            f"not what a pack holds: {', '.join(strange)}" if strange else "") if part)
        raise StcError("E956", path=str(file), detail=detail)


def _extract_checked(file: Path, archive: Any, name: str, expected: str, work: Path) -> None:
    """Write one member under `work`, hashing it on the way; refuse it unless the hash is
    the manifest's."""
    import hashlib
    import zipfile

    target = work.joinpath(*name.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with archive.open(name) as source, target.open("wb") as out:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise StcError("E955", path=str(file), member=name, detail=str(exc)) from None
    if digest.hexdigest() != expected.lower():
        raise StcError("E955", path=str(file), member=name,
                       detail="its content does not match its hash in the manifest")


def _sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# -- the end ----------------------------------------------------------------------------------

def require_open(project: Project) -> None:
    """Refuse (E958) at once when the project is closed: before a long piece of work, which
    its batch would refuse at the end anyway."""
    seq = closed_at(project.conn)
    if seq is not None:
        raise StcError("E958", seq=seq)


@dataclass
class Closing:
    """What `close` did: the transcripts erased, the files removed with them, the closing
    change."""

    erased: list[str]
    removed: int
    seq: int


def close(project: Project, why: str, head: int, archive: str | None) -> Closing:
    """Erase every transcript (as `stc erase` does), remove the files that still quote them
    (the rendered reports, the copies of stc.db kept before upgrades) and record the closing:
    `head` is the last change the archive shows, `archive` its manifest's SHA-256. Refused
    when the project changed after `head` (another command ran while the archive was
    written)."""
    from stc.erasure import erase

    require_open(project)
    last, _ = project.head()
    if last != head:
        raise StcError("E962", head=head, last=last)
    docs = [str(r[0]) for r in project.conn.execute("SELECT id FROM documents ORDER BY id")]
    done = erase(project, docs, why) if docs else None
    erased = [e.doc for e in done.erased] if done else []
    removed = _remove_quoting_files(project) + (
        len(done.reports) + len(done.exports_removed) + len(done.backups) if done else 0)
    with project.batch(why) as batch:
        record = batch.record("project.close", {"head": head, "archive": archive,
                                                "erased": len(erased)})
    return Closing(erased, removed, record.seq)


def _remove_quoting_files(project: Project) -> int:
    """Reports rendered before the closing quote the transcripts (the archive keeps what is
    kept of them), and a copy of stc.db made before an upgrade holds them whole."""
    import shutil

    found = [*project.root.glob(f"{DATABASE}.before-*")]
    if project.reports_dir.is_dir():
        found += project.reports_dir.iterdir()
    for path in found:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return len(found)
