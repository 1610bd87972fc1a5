"""`stc close`: the archive kept at a project's end date, and then the closing itself.

The archive holds what the analysis made, not what the participants said: the codebook
(Taguette's CSV and REFI-QDA's .qdc), the categories with their headings, condensates and
analytic texts (`categories.csv`), the audit trail with every quotation and unit text replaced
by its reference (`[U7, I1:12-14]`), the results chapter as handed in (the project's
`reports/results.*`, else rendered the same way), any seal files, and `archive.json` naming the
last change and the trail's hash with the SHA-256 of every file. Transcripts and quotations
come in only when asked for. Then `stc.lifecycle.close` erases every transcript and records
the closing, with the archive's manifest hash; the reports rendered in the project, which
quote the transcripts, go too.

Reports without quotations are rendered from a private in-memory copy of the state in which
the transcripts are blank (of the same length, so every place stays where it was), each unit's
text and quotation is its reference, and memos on transcripts and units are their numbers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc import __version__, lifecycle, store
from stc.errors import StcError
from stc.project import Project
from stc.reports.model import build
from stc.reports.render import REPORTS, Shared, _rendered
from stc.sealing import SEALS
from stc.stages.checks import IDENTIFYING, run_checks
from stc.texts import PROJECT, get_text, put_text

MANIFEST = "archive.json"


@dataclass
class Closed:
    """What `close_project` wrote and did."""

    archive: Path
    files: list[str]
    head: int
    digest: str
    erased: list[str] = field(default_factory=list)
    removed: int = 0
    seq: int = 0


def close_project(project: Project, archive: Path, why: str, with_transcripts: bool = False,
                  with_quotations: bool = False) -> Closed:
    """Write the archive into `archive` (new or empty, outside the project), then erase every
    transcript and record the closing. A failure while writing leaves no archive and the
    project as it was."""
    lifecycle.require_open(project)
    head, digest = project.head()
    checks = run_checks(project.conn)
    names = next(c for c in checks if c.id == IDENTIFYING).failures
    if names:
        raise StcError("E516", places="; ".join(names))
    with lifecycle.new_folder(archive, project.root) as work:
        files = _write_archive(project, work, checks, with_transcripts, with_quotations)
        manifest = _manifest(project, work, files, head, digest, with_transcripts,
                             with_quotations)
    closing = lifecycle.close(project, why, head, manifest)
    return Closed(archive, [*files, MANIFEST], head, digest, closing.erased, closing.removed,
                  closing.seq)


def _write_archive(project: Project, work: Path, checks: list[Any], with_transcripts: bool,
                   with_quotations: bool) -> list[str]:
    from stc.exchange.refi_export import export_refi
    from stc.sheet import SUBGROUP_COLUMNS, write_table
    from stc.stages.matrix import subgroup_rows

    written: list[str] = []
    if project.conn.execute("SELECT 1 FROM codes LIMIT 1").fetchone():
        for name in ("codebook.csv", "codebook.qdc"):
            export_refi(project, work / name, record=False)
            written.append(name)
    write_table(work / "categories.csv", SUBGROUP_COLUMNS, subgroup_rows(project.conn))
    written.append("categories.csv")
    conn = project.conn if with_quotations else _without_quotations(project)
    try:
        model = build(conn, None, None, None, checks)
        shared = Shared(project.root / "templates")
        written += _write(work, _rendered(project.root, shared, model, "audit", "html", None))
        handed_in = sorted(p for p in project.reports_dir.glob("results.*")
                           if p.suffix[1:] in REPORTS["results"])
        for path in handed_in:
            shutil.copy2(path, work / path.name)
        written += [p.name for p in handed_in]
        for fmt in () if handed_in else REPORTS["results"]:
            written += _write(work, _rendered(project.root, shared, model, "results", fmt, None))
    finally:
        if conn is not project.conn:
            conn.close()
    seals = [*project.root.glob("seal*"), *(project.root / SEALS).glob("*")]
    for seal in sorted(p for p in seals if p.is_file()):
        name = seal.relative_to(project.root).as_posix()
        (work / name).parent.mkdir(exist_ok=True)
        shutil.copy2(seal, work / name)
        written.append(name)
    if with_transcripts:
        written += _transcripts(project, work / "transcripts")
    return written


def _write(folder: Path, files: list[tuple[str, bytes]]) -> list[str]:
    for name, data in files:
        (folder / name).write_bytes(data)
    return [name for name, _ in files]


def _transcripts(project: Project, folder: Path) -> list[str]:
    """Each transcript's text as stc holds it (its current version), as UTF-8 text."""
    folder.mkdir()
    written = []
    for doc, digest in project.conn.execute("SELECT id, text FROM documents ORDER BY id"):
        body = get_text(project.conn, digest)
        if body is not None:
            (folder / f"{doc}.txt").write_bytes(body.encode("utf-8"))
            written.append(f"transcripts/{doc}.txt")
    return written


def _without_quotations(project: Project) -> sqlite3.Connection:
    """A private in-memory copy of the state in which nothing said in an interview shows:
    transcripts blank (same length), units and quotations their references, memos on
    transcripts or units their numbers; the texts they held are gone from its text store."""
    from stc.stages.condensation import unit_segments
    from stc.units import Places

    conn = store.connect(":memory:")
    project.conn.backup(conn)
    conn.execute("BEGIN")
    gone = {str(r[0]) for r in conn.execute(
        "SELECT payload ->> '$.text' FROM trail WHERE kind IN ('document.import',"
        " 'document.replace')")}
    for doc, digest in conn.execute("SELECT id, text FROM documents").fetchall():
        length = len(get_text(conn, digest) or "")
        conn.execute("UPDATE documents SET text = ? WHERE id = ?",
                     (put_text(conn, " " * length, PROJECT), doc))
    places = Places(conn)
    empty = put_text(conn, "", PROJECT)
    for row in conn.execute("SELECT id, text, before, after, nugget FROM units").fetchall():
        gone.update(str(h) for h in tuple(row)[1:] if h)
        reference = put_text(conn, f"[U{row[0]}, {unit_segments(conn, row[0], places)}]",
                             PROJECT)
        conn.execute("UPDATE units SET text = ?, before = ?, after = ?, nugget = ? WHERE id = ?",
                     (reference, empty, empty, reference if row[4] else None, row[0]))
    on_transcripts = _memos_on_transcripts(conn)
    for memo, body in on_transcripts:
        gone.add(body)
        conn.execute("UPDATE memos SET body = ? WHERE id = ?",
                     (put_text(conn, f"[M{memo}]", PROJECT), memo))
    gone -= _written_by_the_researcher(conn)
    conn.executemany("DELETE FROM texts WHERE hash = ?", [(h,) for h in sorted(gone)])
    conn.execute("COMMIT")
    return conn


def _memos_on_transcripts(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    docs = {str(r[0]) for r in conn.execute("SELECT id FROM documents")}
    units = {f"U{r[0]}" for r in conn.execute("SELECT id FROM units")}
    found = []
    for memo, ref, body in conn.execute("SELECT id, ref, body FROM memos").fetchall():
        ref = str(ref or "")
        if ref in units or ref in docs or ref.split(":", 1)[0] in docs:
            found.append((int(memo), str(body)))
    return found


def _written_by_the_researcher(conn: sqlite3.Connection) -> set[str]:
    """Texts the archive keeps even if a transcript held the same words: condensates,
    analytic texts, code definitions and the memos left."""
    kept: set[str] = set()
    for sql in ("SELECT condensate, description FROM code_groups",
                "SELECT condensate, description FROM subgroups",
                "SELECT definition FROM codes", "SELECT body FROM memos"):
        for row in conn.execute(sql):
            kept.update(str(h) for h in tuple(row) if h)
    return kept


def _manifest(project: Project, work: Path, files: list[str], head: int, digest: str,
              with_transcripts: bool, with_quotations: bool) -> str:
    """Write archive.json; returns its SHA-256, which the closing records."""
    manifest = {
        "stc": __version__, "title": project.title, "last_change": head, "trail_hash": digest,
        "with_transcripts": with_transcripts, "with_quotations": with_quotations,
        "files": {name: hashlib.sha256((work / name).read_bytes()).hexdigest()
                  for name in files},
    }
    data = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            ).encode("utf-8")
    (work / MANIFEST).write_bytes(data)
    return hashlib.sha256(data).hexdigest()
