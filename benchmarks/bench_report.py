"""`stc report all`: a thesis-sized analysis in under a second, and a large one against the
floor of writing the same Word and Excel files with python-docx and openpyxl alone.

The floor's content is read out of stc's own files after a first run (every paragraph with its
style, every table cell, every sheet row), so both write the same paragraphs and rows; the
floor leaves out everything else stc does (the model, the checks, the audit, the templates).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from analysis import build_analysis
from bench_import import imported_project
from bench_matrix import middle_size
from common import (
    FULL,
    PYTHON,
    QUICK,
    STC,
    Row,
    Settings,
    copy_project,
    has_command,
    ratio,
    run_child,
    stc,
)

TARGET = 1.5  # at most this many times the floor, at the large size
THESIS_SECONDS = 1.0  # a normal thesis chapter's reports, on this machine
FLOORS = Path(__file__).resolve().parent / "floors.py"


def report_project(settings: Settings, units: int) -> Path:
    root = settings.data / "projects" / f"report-{units}"
    if not (root / ".complete").exists():
        size = min(settings.sizes) if units < 1_000 else middle_size(settings)
        copy_project(imported_project(settings, size), root)
        build_analysis(root, units)
        (root / ".complete").write_text("")
    return root


def office_content(folder: Path) -> dict[str, object]:
    """What stc's Word and Excel reports hold: paragraphs with their styles, table cells,
    sheet rows."""
    from docx import Document
    from openpyxl import load_workbook

    docx = {}
    for name in ("results.docx", "method.docx"):
        if (folder / name).exists():
            doc = Document(str(folder / name))
            docx[name] = {
                "paragraphs": [[p.style.name if p.style else "Normal", p.text]
                               for p in doc.paragraphs],
                "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]}
    book = load_workbook(folder / "matrix.xlsx")
    xlsx = {"matrix.xlsx": [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]}
    return {"docx": docx, "xlsx": xlsx}


def _floor_note(out: Path) -> str:
    """What the floor includes, and what stc does beyond it (where the rest of the time goes)."""
    extra = sum(p.stat().st_size for p in out.iterdir()
                if p.suffix not in (".docx", ".xlsx")) / 1e6
    return ("floor: the same .docx paragraphs and tables and .xlsx rows only; stc also reads"
            " the project, runs the checks and writes the audit trail, Markdown, HTML and CSV"
            f" ({extra:.0f} MB the floor does not write)")


def _median(args: list[str], rounds: int) -> float:
    return statistics.median(run_child(args).seconds for _ in range(rounds))


def run(settings: Settings) -> list[Row]:
    small, large = settings.report_units
    labels = (f"stc report all, {small:,} units (a thesis)",
              f"stc report all, {large:,} units, vs python-docx + openpyxl")
    if not has_command("report"):
        return [Row(label, None, None, None, "", None,
                    "not available: `stc report` does not exist yet") for label in labels]
    rows = []
    for units, label in zip((small, large), labels, strict=True):
        root = report_project(settings, units)
        out = settings.data / f"reports-{units}"
        first = stc("report", "all", "--out", str(out), project=root, check=False)
        if first.code != 0:
            error = first.output.strip().splitlines()[-1:] or ["no output"]
            return [Row(label, None, None, None, "", None,
                        f"failed at {units:,} units: {error[0][:120]}")]
        seconds = _median([STC, "--project", str(root), "report", "all", "--out", str(out)],
                          settings.rounds)
        if units == small:
            rows.append(Row(label, seconds, None, None, f"< {THESIS_SECONDS:g} s",
                            seconds < THESIS_SECONDS, "absolute: no floor"))
            continue
        content = settings.data / f"office-{units}.json"
        content.write_text(json.dumps(office_content(out), ensure_ascii=False))
        floor_dir = settings.data / f"office-floor-{units}"
        floor_dir.mkdir(exist_ok=True)
        floor = _median([PYTHON, str(FLOORS), "office", str(content), str(floor_dir)],
                        settings.rounds)
        share = ratio(seconds, floor)
        rows.append(Row(label, seconds, floor, share, f"<= {TARGET:g}x", share <= TARGET,
                        _floor_note(out)))
        rows.append(_same_files(settings, root, units, floor))
        rows.append(_audit_alone(settings, root, units, floor))
    return rows


def _audit_alone(settings: Settings, root: Path, units: int, floor: float) -> Row:
    """`report audit` alone, against the same floor: what the audit trail (its checks, the
    history of every change, every unit in context) adds to `report all`. No target of its
    own; it shows how much of `report all` the floor leaves out."""
    out = settings.data / f"reports-audit-{units}"
    seconds = _median([STC, "--project", str(root), "report", "audit", "--out", str(out)],
                      settings.rounds)
    size = (out / "audit.html").stat().st_size / 1e6
    return Row(f"stc report audit, {units:,} units, vs the same floor", seconds, floor,
               ratio(seconds, floor), "-", None,
               f"information: the audit page alone ({size:.0f} MB), which the floor leaves out")


def _same_files(settings: Settings, root: Path, units: int, floor: float) -> Row:
    """`report all --format docx,xlsx`: the very files the floor writes (results.docx,
    method.docx, matrix.xlsx), so the ratio is stc's own cost of writing them, from the
    project to the bytes."""
    out = settings.data / f"reports-office-{units}"
    seconds = _median([STC, "--project", str(root), "report", "all", "--format", "docx,xlsx",
                       "--out", str(out)], settings.rounds)
    share = ratio(seconds, floor)
    return Row(f"stc report all --format docx,xlsx, {units:,} units, vs the same floor",
               seconds, floor, share, f"<= {TARGET:g}x", share <= TARGET,
               "the floor's own files, and the model and identifying-name check they need")


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
