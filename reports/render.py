"""`stc report`: the results chapter, the audit trail and the matrix, from one project state.

Jinja2 renders every text report. A project may override any template by putting a file of the
same name in its own `templates/` folder, which is searched first; those templates come with the
project and run sandboxed, the built-in ones in a plain environment (see `sandbox`). Undefined
variables are errors (StrictUndefined) and HTML templates escape everything they insert, so
nothing from a transcript can run script in a report. All files of one run are written or none
(stc.outputs).
"""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stc import naming
from stc.errors import BadInput, StcError
from stc.outputs import all_or_none, make_folder
from stc.parallel import Background, in_background, runs_apart, start_method
from stc.project import DATABASE, Project
from stc.reports.method import method_model
from stc.reports.model import build, report_options, stamp, without_audit
from stc.reports.office import matrix_xlsx, method_docx, results_docx
from stc.stages.checks import IDENTIFYING, CheckResult, identifying_check, run_checks
from stc.store import snapshot
from stc.texts import writable_values
from stc.trail import read_once

REPORTS: dict[str, tuple[str, ...]] = {
    "results": ("md", "html", "docx"),
    "audit": ("html",),
    "matrix": ("csv", "xlsx"),
    "method": ("md", "html", "docx"),
}


@dataclass(frozen=True)
class Request:
    """Which reports to render, and in which formats."""

    reports: tuple[str, ...]
    formats: dict[str, tuple[str, ...]]


def plan(which: str, formats: Sequence[str] | None) -> Request:
    """Which reports in which formats: `--format` picks among each report's own formats."""
    if which != "all" and which not in REPORTS:
        raise StcError("E517", name=which, reports=", ".join(REPORTS))
    reports = tuple(REPORTS) if which == "all" else (which,)
    wanted = [f.strip().lower() for f in formats or [] if f.strip()]
    chosen: dict[str, tuple[str, ...]] = {}
    for report in reports:
        own = REPORTS[report]
        picked = tuple(f for f in own if f in wanted) if wanted else own
        if wanted and which != "all" and len(picked) < len(set(wanted)):
            raise StcError("E518", report=report, formats=", ".join(wanted),
                           allowed=", ".join(own))
        if picked:
            chosen[report] = picked
    if not chosen:
        raise StcError("E518", report=which, formats=", ".join(wanted),
                       allowed="; ".join(f"{r}: {', '.join(f)}" for r, f in REPORTS.items()))
    return Request(tuple(chosen), chosen)


def matrix_table(conn: sqlite3.Connection) -> tuple[list[str], list[list[Any]]]:
    """Participants × code groups and subgroups: units (not set aside) per participant, after
    the participant's name and attributes."""
    from stc.attributes import attributes_of, keys_of
    from stc.participants import names, study_participants
    from stc.stages.prevalence import category_units
    from stc.units import participants_by_unit

    columns = [(group if subgroup is None else f"{group}/{subgroup}", units)
               for group, subgroup, units in category_units(conn)]
    keys = keys_of(conn, "participant")
    values = attributes_of(conn, "participant")
    named = names(conn)
    who = participants_by_unit(conn)
    # each column's units counted per participant in one pass, not once per participant
    counts = [Counter(p for u in units for p in who[u]) for _, units in columns]
    rows = []
    for pid in study_participants(conn):
        held = {naming.key(k): v.text for k, v in values.get(str(pid), {}).items()}
        rows.append([named[pid], *(held.get(naming.key(k), "") for k in keys),
                     *(c[pid] for c in counts)])
    return ["participant", *keys, *(c for c, _ in columns)], rows


def _matrix_csv(header: list[str], rows: list[list[Any]]) -> str:
    """A plain table: the header row first, so pandas, R and Excel read it as it is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def sidecar(model: dict[str, Any]) -> bytes:
    """What a CSV file shows, beside it (`matrix.csv.json`): the state and the stc version."""
    import json

    state = model["state"]
    return (json.dumps({"state": {"change": state["seq"], "changed_at": state["at"],
                                  "trail_hash": state["hash"]},
                        "stc_version": state["version"], "language": model["language"]},
                       ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# From this many meaning units on, the audit trail and the matrix are written in other
# processes (stc.parallel) while this one writes the chapter and the method report: each
# needs nothing of the chapter's model, and the audit of a large project costs more than
# everything else together. Below it a second process costs more than it saves; a spawned
# one (Windows, macOS) starts a fresh Python, worth it only for more work still.
APART_FROM = {"fork": 1_000, "forkserver": 5_000, "spawn": 5_000}
APART = ("audit", "matrix")

Files = list[tuple[str, bytes]]  # (name, bytes) of the files of one report


def render(project: Project, which: str = "all", formats: Sequence[str] | None = None,
           out: Path | None = None, as_of: int | None = None,
           allow_identifying: bool = False, examples: Sequence[str] | None = None
           ) -> list[Path]:
    """Write the reports; returns the files written. `as_of` renders the state after that
    change, with the settings of that state. `examples` names the units of the method
    report's example table. Refuses (E516) when a text shown would contain an identifying
    name."""
    request = plan(which, formats)
    conn = project.replayed(as_of) if as_of is not None else project.conn
    try:
        with snapshot(conn), read_once(conn):  # every report of one state, however many ask
            state, files = _files(project, conn, request, as_of, allow_identifying, examples)
    finally:
        if conn is not project.conn:
            conn.close()
    # an earlier state never overwrites the reports of the present
    target = out or (project.reports_dir / f"as-of-{as_of}" if as_of is not None
                     else project.reports_dir)
    if target.exists() and not target.is_dir():
        raise StcError("E519", path=str(target), detail="it is a file, not a folder")
    made = make_folder(target, parents=out is None)  # an --out folder only in one that exists
    written = [target / name for name, _ in files]
    try:
        with all_or_none() as outputs:
            for name, data in files:
                outputs.write(target / name, data)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                target.rmdir()  # the folder this run made, still empty
        raise
    if not target.resolve().is_relative_to(project.root.resolve()):
        # reports in the project folder are found by an erasure; those elsewhere are named
        project.record_export("report", written, state["seq"])
    return written


def _files(project: Project, conn: sqlite3.Connection, request: Request, as_of: int | None,
           allow_identifying: bool, examples: Sequence[str] | None
           ) -> tuple[dict[str, Any], Files]:
    """The state shown and the files of every report asked for, in the order of the request:
    the audit trail and the matrix of a large project made in other processes meanwhile."""
    parted = [r for r in APART if r in request.reports] if _worth_parting(conn, as_of) else []
    audit_here = "audit" in request.reports and "audit" not in parted
    # each check runs once: all of them for an audit made here, else the one the refusal needs
    checks = run_checks(conn) if audit_here else [identifying_check(conn)]
    places = next(c for c in checks if c.id == IDENTIFYING).failures
    if places and not allow_identifying:
        raise StcError("E516", places="; ".join(places))
    apart = {r: in_background(_parted_files, project.root, r, request.formats[r])
             for r in parted}
    try:
        return _gathered(project, conn, request, as_of, examples,
                         checks if audit_here else None, apart)
    except BaseException:
        for background in apart.values():  # none left working for a report that failed
            background.end()
        raise


def _gathered(project: Project, conn: sqlite3.Connection, request: Request, as_of: int | None,
              examples: Sequence[str] | None, checks: list[CheckResult] | None,
              apart: dict[str, Background[tuple[dict[str, Any], Files]]]
              ) -> tuple[dict[str, Any], Files]:
    """The files of the reports made here, and those of the reports made `apart` when they
    show the state this connection sees (else made here too)."""
    model = build(conn, as_of, None, None, checks)
    method = (method_model(conn, model, report_options(conn), examples)
              if "method" in request.reports else None)
    matrix = matrix_table(conn) if "matrix" in request.reports and "matrix" not in apart \
        else None
    shared = Shared(project.root / "templates")
    made: dict[str, Files] = {}
    for report in request.reports:
        if report not in apart:
            shown = method if report == "method" and method is not None else model
            made[report] = [file for fmt in request.formats[report]
                            for file in _rendered(project.root, shared, shown, report, fmt,
                                                  matrix)]
    for report, wait in apart.items():
        shown_state, files = wait()
        # made on another connection: of this state, unless a change came in between
        made[report] = files if shown_state == model["state"] else _report_files(
            conn, project.root, report, request.formats[report])[1]
    return model["state"], [file for report in request.reports for file in made[report]]


def _worth_parting(conn: sqlite3.Connection, as_of: int | None) -> bool:
    """Whether the audit trail and the matrix are made in other processes: for a project
    large enough, never for an earlier state (replayed in this process's memory), nor where
    they would run here after all (one core, STC_WORKERS=1): the chapter's model is then
    the audit's too."""
    if as_of is not None or not runs_apart():
        return False
    units = int(conn.execute("SELECT COUNT(*) FROM units").fetchone()[0])
    return units >= APART_FROM[start_method()]


def _parted_files(root: Path, report: str, formats: tuple[str, ...]
                  ) -> tuple[dict[str, Any], Files]:
    """`_report_files` on a connection of its own: what another process makes."""
    from stc.store import connect

    conn = connect(root / DATABASE)
    try:
        with snapshot(conn):
            return _report_files(conn, root, report, formats)
    finally:
        conn.close()


def _report_files(conn: sqlite3.Connection, root: Path, report: str,
                  formats: tuple[str, ...]) -> tuple[dict[str, Any], Files]:
    """The audit trail or the matrix of the present state, in `formats`, and the state it
    shows."""
    with read_once(conn):
        if report == "audit":
            model, matrix = build(conn, None, None, None, run_checks(conn)), None
        else:
            model, matrix = stamp(conn, None), matrix_table(conn)
    shared = Shared(root / "templates")
    return model["state"], [file for fmt in formats
                            for file in _rendered(root, shared, model, report, fmt, matrix)]


@dataclass(frozen=True)
class Page:
    """A report rendered in memory as one HTML page (the workbench's preview), and the places
    where its texts hold an identifying name: `render` refuses to write such a report."""

    html: str
    identifying: list[str]


def page(project: Project, which: str = "results", as_of: int | None = None) -> Page:
    """The HTML of report `which` (results, audit or method) as `render` would write it, from
    the same model, templates and checks, without writing anything."""
    from stc.reports import sandbox

    if which not in ("results", "audit", "method"):
        raise StcError("E517", name=which, reports="results, audit, method")
    conn = project.replayed(as_of) if as_of is not None else project.conn
    try:
        with snapshot(conn), read_once(conn):  # its checks and its model of one state
            checks = run_checks(conn) if which == "audit" else [identifying_check(conn)]
            places = next(c for c in checks if c.id == IDENTIFYING).failures
            model = build(conn, as_of, None, None, checks if which == "audit" else None)
            shown = method_model(conn, model, report_options(conn), None) \
                if which == "method" else model
        name = f"{which}.html.j2"
        env = sandbox.environment(project.root / "templates", name, shown)
        return Page(sandbox.render_template(env, name, shown), places)
    finally:
        if conn is not project.conn:
            conn.close()


class Shared:
    """What the files of one run make once for the models they show (the method report's
    holds the parts of the results chapter's): the budgets of a project's templates sized
    once per part, and each part with its texts writable as XML."""

    def __init__(self, templates: Path) -> None:
        self.templates = templates
        self.sizes: dict[int, int] = {}
        self.parts: dict[int, Any] = {}

    def render(self, model: dict[str, Any], name: str) -> str:
        """Template `name` rendered with `model` (see `sandbox.environment`)."""
        from stc.reports import sandbox  # jinja2: not for a run of Word and Excel files only

        return sandbox.render_template(sandbox.environment(self.templates, name, model,
                                                           self.sizes), name,
                               model)

    def writable(self, model: dict[str, Any]) -> dict[str, Any]:
        """The model without the audit's parts, its texts `writable` (XML: texts stored
        before stc cleaned them where they entered)."""
        out = {}
        for key, part in without_audit(model).items():
            if id(model[key]) not in self.parts:  # the part as the model holds it
                self.parts[id(model[key])] = writable_values(part)
            out[key] = self.parts[id(model[key])]
        return out


def _rendered(root: Path, shared: Shared, model: dict[str, Any], report: str, fmt: str,
              matrix: tuple[list[str], list[list[Any]]] | None) -> Files:
    """The files of one report in one format: (name, bytes)."""
    name = f"{report}.{fmt}"
    if fmt == "docx":
        model = shared.writable(model)
        write = results_docx if report == "results" else method_docx
        names = ("results.docx",) if report == "results" else ("method.docx", "results.docx")
        reference = _reference_document(root, names)
        try:
            return [(name, write(model, reference))]
        except Exception as exc:  # python-docx on a document it can open but not use
            if reference is None:
                raise
            raise StcError("E536", path="templates/results.docx",
                           detail=f"{type(exc).__name__}: {exc}"[:200]) from None
    if report == "matrix" and matrix is not None:
        header, rows = matrix
        if fmt == "csv":
            return [(name, _matrix_csv(header, rows).encode("utf-8")),
                    (f"{name}.json", sidecar(model))]
        header, rows = writable_values(matrix)  # XML, as a Word file
        return [(name, matrix_xlsx(header, rows, writable_values(model["state"]),
                                   writable_values(model["author"])))]
    return [(name, shared.render(model, f"{report}.{fmt}.j2").encode("utf-8"))]


def _reference_document(root: Path, names: tuple[str, ...]) -> bytes | None:
    """The project's own Word reference document (the first of templates/NAME that exists),
    after the checks a transcript from someone else passes: it comes with the project and is
    not trusted either."""
    from stc.formats import read_bytes
    from stc.formats.office import check_word_package

    folder = root / "templates"
    if not folder.is_dir():
        return None
    from stc.reports import sandbox  # finds a project's own files as its templates are found

    path = next((p for p in (sandbox.project_file(folder, n) for n in names) if p is not None),
                None)
    if path is None:
        return None
    try:
        data = read_bytes(path)
        check_word_package(path, data)
    except BadInput as exc:
        raise StcError("E536", path=f"templates/{path.name}", detail=exc.message) from None
    return data
