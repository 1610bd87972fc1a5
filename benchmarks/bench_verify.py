"""`stc verify` over many recorded changes against reading those trail rows and hashing them.

The project is the smallest imported corpus plus generated analysis changes (codes, meaning
units, code changes, memos, renames), recorded through the library in batches, as `stc` itself
records them.
"""

from __future__ import annotations

import sys
from itertools import cycle
from pathlib import Path

from bench_import import imported_project
from common import (
    FULL,
    PYTHON,
    QUICK,
    STC,
    Row,
    Settings,
    copy_project,
    interleaved_runs,
    median_child,
    ratio,
)

HERE = Path(__file__).resolve().parent
TARGET = 2.0
BATCH = 1_000


def build_trail(root: Path, total: int) -> None:
    """Add analysis changes until the trail holds `total` records."""
    from stc.project import open_project
    from stc.texts import doc_owner, unit_owner

    project = open_project(root, author="bench")
    texts = {doc: body for doc, body in project.conn.execute(
        "SELECT d.id, t.body FROM documents d JOIN texts t ON t.hash = d.text")}
    segments = cycle(project.conn.execute(
        "SELECT doc, n, start, end FROM segments ORDER BY doc, n").fetchall())
    steps = cycle(["code", "unit", "unit", "unit", "unit", "codes", "codes", "memo", "memo",
                   "rename", "note"])
    units: list[int] = []
    codes: list[tuple[int, str]] = []
    while project.head()[0] < total:
        with project.batch("benchmark") as batch:
            for _ in range(min(BATCH, total - project.head()[0])):
                step = next(steps) if codes else "code"
                if step == "code":
                    ident = batch.next_id("codes")
                    codes.append((ident, f"code {ident}"))
                    batch.record("code.add", {"id": ident, "name": f"code {ident}"})
                elif step == "unit" or (not units and step in ("codes", "note")):
                    doc, n, start, end = next(segments)
                    text = texts[doc]
                    code = codes[len(units) % len(codes)]
                    ident = batch.take_number("unit")
                    units.append(ident)
                    batch.record("unit.add", {
                        "id": ident, "doc": doc, "version": 1, "segments": str(n),
                        "start": start, "end": end,
                        "text": batch.text(text[start:end], doc_owner(doc)),
                        "before": batch.text(text[max(0, start - 80):start], doc_owner(doc)),
                        "after": batch.text(text[end:end + 80], doc_owner(doc)),
                        "codes": [code[0]], "code_names": [code[1]]})
                elif step == "codes":
                    unit = units[-1 - len(units) % min(7, len(units))]
                    code = codes[len(units) % len(codes) - 1]
                    batch.record("unit.codes", {"id": unit, "add": [code[0]],
                                                "add_names": [code[1]]})
                elif step == "memo":
                    ident = batch.next_id("memos")
                    batch.record("memo.add", {"id": ident, "kind": "note",
                                              "ref": f"U{units[-1]}",
                                              "body": batch.text(f"memo {ident} on U{units[-1]}",
                                                                 unit_owner(batch.conn,
                                                                            units[-1]))})
                elif step == "rename":
                    ident, old = codes[len(units) % len(codes)]
                    new = f"{old}'"
                    codes[len(units) % len(codes)] = (ident, new)
                    batch.record("rename", {"kind": "code", "id": ident, "old": old, "new": new})
                else:
                    batch.record("unit.set", {"id": units[-1],
                                              "note": batch.text(f"note on U{units[-1]}",
                                                                 unit_owner(batch.conn,
                                                                            units[-1]))})
    project.close()


def run(settings: Settings) -> list[Row]:
    source = imported_project(settings, min(settings.sizes))
    root = settings.data / "projects" / f"verify-{settings.verify_changes}"
    if not (root / ".complete").exists():
        copy_project(source, root)
        build_trail(root, settings.verify_changes)
        (root / ".complete").write_text("")
    floors, verifies = interleaved_runs(
        [[PYTHON, str(HERE / "floors.py"), "trail", str(root / "stc.db")],
         [STC, "--project", str(root), "verify"]], settings.rounds)
    floor, child = median_child(floors), median_child(verifies)
    share = ratio(child.seconds, floor.seconds)
    return [Row(f"stc verify, {settings.verify_changes:,} changes", child.seconds, floor.seconds,
                share, f"<= {TARGET}x", share <= TARGET,
                f"median of {settings.rounds}; cpu {child.cpu:.2f} s vs {floor.cpu:.2f} s;"
                f" peak {child.max_rss_mb:,.0f} MB")]


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
