"""`stc matrix import` of a coding matrix against reading the same .xlsx with openpyxl alone."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis import write_matrix
from bench_import import imported_project
from common import (
    FULL,
    PYTHON,
    QUICK,
    Row,
    Settings,
    copy_project,
    has_command,
    median_child,
    ratio,
    run_child,
)
from common import stc as run_stc

HERE = Path(__file__).resolve().parent
TARGET = 3.0


def middle_size(settings: Settings) -> int:
    sizes = sorted(settings.sizes)
    return sizes[len(sizes) // 2]


def run(settings: Settings) -> list[Row]:
    label = f"stc matrix import, {settings.matrix_units:,} units"
    if not has_command("matrix", "import"):
        return [Row(label, None, None, None, f"<= {TARGET}x", None,
                    "not available: `stc matrix import` does not exist yet")]
    source = imported_project(settings, middle_size(settings))
    matrix_root = settings.data / "projects" / "matrix"
    matrix = write_matrix(copy_project(source, matrix_root), settings.matrix_units,
                          settings.data / f"matrix-{settings.matrix_units}.xlsx")
    floors, children = [], []
    for _ in range(min(settings.rounds, 3)):  # each round imports into a fresh copy
        root = copy_project(source, matrix_root)
        floors.append(run_child([PYTHON, str(HERE / "floors.py"), "openpyxl", str(matrix)]))
        child = run_stc("matrix", "import", str(matrix), project=root, check=False)
        if child.code != 0:
            error = child.output.strip().splitlines()[-1:] or ["no output"]
            return [Row(label, None, floors[-1].seconds, None, f"<= {TARGET}x", None,
                        f"failed: {error[0][:120]}")]
        children.append(child)
    floor, child = median_child(floors), median_child(children)
    share = ratio(child.seconds, floor.seconds)
    return [Row(label, child.seconds, floor.seconds, share, f"<= {TARGET}x", share <= TARGET,
                f"median of {len(children)}; peak {child.max_rss_mb:,.0f} MB")]


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
