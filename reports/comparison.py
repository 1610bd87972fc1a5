"""Two coders compared, for the people who discuss it: an HTML report a supervisor reads, and
the disagreements as a table (.xlsx or .csv) that doubles as the resolutions file of
`stc merge-from`.

The same two project states give the same bytes: nothing here reads the clock.
"""

from __future__ import annotations

import csv
import io
from itertools import pairwise
from pathlib import Path
from typing import Any

from stc import __version__
from stc.errors import StcError
from stc.project import Project
from stc.reports.office import change_time, normalised_zip
from stc.reports.sandbox import environment, render_template
from stc.stages.agreement import UNDEFINED, Figures, shown, shown_percent
from stc.stages.coders import (
    KIND_WORDS,
    PLACE_COLUMNS,
    SEGMENTS_COMPARED,
    SEGMENTS_LEFT_OUT,
    Comparison,
    Place,
    place_row,
)

FIGURE_COLUMNS = ("code", "segments coded by A", "segments coded by B", "coded by both",
                  "percent agreement", "kappa")
FORMATS = (".html", ".xlsx", ".csv")


def write(project: Project, comparison: Comparison, path: Path) -> None:
    """The comparison as .html (the report), .xlsx (figures and disagreements) or .csv (the
    disagreements, to fill in as resolutions); recorded as an export of the project, whose
    units it quotes."""
    title, templates = project.title, project.root / "templates"
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise StcError("E863", suffix=path.suffix or path.name)
    if suffix == ".html":
        shown = model(comparison, title)
        name = "comparison.html.j2"
        data = render_template(environment(templates, name, shown), name,
                               shown).encode("utf-8")
    elif suffix == ".xlsx":
        data = _xlsx(comparison)
    else:
        data = _csv(comparison).encode("utf-8")
    state = project.head()[0]
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise StcError("E864", path=str(path), detail=exc.strerror or str(exc)) from None
    project.record_export("comparison", [path], state)


def _figure_row(f: Figures) -> list[Any]:
    return [f.code if f.code is not None else "all codes, pooled", f.coded_a, f.coded_b,
            f.table.both, shown_percent(f.percent), shown(f.kappa)]


def _neutral(value: Any) -> Any:
    """Text a spreadsheet would run as a formula keeps a leading `'` (read back without it)."""
    from stc.sheet import neutralise

    return neutralise(value) if isinstance(value, str) else value


def _csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLACE_COLUMNS)
    for place in comparison.disagreements:
        writer.writerow([_neutral(v) for v in place_row(place)])
    return out.getvalue()


def _xlsx(comparison: Comparison) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "disagreements"
    sheet.append(list(PLACE_COLUMNS))
    for place in comparison.disagreements:
        sheet.append([_neutral(v) for v in place_row(place)])
    figures = book.create_sheet("agreement")
    figures.append(list(FIGURE_COLUMNS))
    for f in [*comparison.per_code, comparison.overall]:
        figures.append([_neutral(v) for v in _figure_row(f)])
    about = book.create_sheet("about")
    for key, value in _about(comparison):
        about.append([key, _neutral(value)])
    when = change_time(max(comparison.states[0]["at"], comparison.states[1]["at"]))
    book.properties.creator = "stc"
    book.properties.lastModifiedBy = "stc"
    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)
    return normalised_zip(buffer.getvalue(), when)


def _about(comparison: Comparison) -> list[tuple[str, str]]:
    a, b = comparison.states
    return [("stc", __version__),
            ("A", f"{comparison.a.name}: {', '.join(comparison.a.coders(comparison.docs))}"),
            ("A at change", f"{a['seq']} ({a['hash']})"),
            ("B", f"{comparison.b.name}: {', '.join(comparison.b.coders(comparison.docs))}"),
            ("B at change", f"{b['seq']} ({b['hash']})"),
            ("transcripts", ", ".join(comparison.docs)),
            ("segments compared", f"{comparison.segments} ({SEGMENTS_COMPARED})"),
            ("segments left out", f"{comparison.left_out} ({SEGMENTS_LEFT_OUT})"),
            ("decision", "keep-a, keep-b, keep-both or adjust (with new_segments, and"
                         " new_quote and new_codes if wanted); reason: why")]


# -- the HTML report ------------------------------------------------------------------------------

def _pieces(place: Place) -> list[dict[str, Any]]:
    """The place's text cut where a unit of either coder begins or ends, each piece marked
    with the coders whose units cover it."""
    cuts = sorted({place.start, place.end, *(u.start for u in place.a + place.b),
                   *(u.end for u in place.a + place.b)})
    pieces = []
    for start, end in pairwise(cuts):
        in_a = any(u.start <= start and end <= u.end for u in place.a)
        in_b = any(u.start <= start and end <= u.end for u in place.b)
        pieces.append({"text": place.text[start - place.start:end - place.start],
                       "a": in_a, "b": in_b})
    return pieces


def model(comparison: Comparison, title: str) -> dict[str, Any]:
    c = comparison
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for place in c.disagreements:
        by_doc.setdefault(place.doc, []).append({
            "id": place.id, "ref": place.ref, "kind": place.kind,
            "what": KIND_WORDS[place.kind], "pieces": _pieces(place),
            "a": place.units("A"), "b": place.units("B"),
        })
    counts = c.counts()
    return {
        "title": title, "version": __version__, "undefined": UNDEFINED,
        "a": {"name": c.a.name, "coders": c.a.coders(c.docs), "state": c.states[0]},
        "b": {"name": c.b.name, "coders": c.b.coders(c.docs), "state": c.states[1]},
        "docs": c.docs, "segments": c.segments, "left_out": c.left_out, "notes": c.notes,
        "figures": [_figure_row(f) for f in c.per_code],
        "overall": _figure_row(c.overall),
        "undefined_codes": [f.code for f in c.per_code if f.kappa is None],
        "counts": [(KIND_WORDS[kind], n) for kind, n in counts.items()],
        "disagreements": sum(counts.values()), "same": c.agreed,
        "places": sorted(by_doc.items()),
    }
