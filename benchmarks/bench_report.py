"""`stc report all` at two sizes of analysis: 10x the units may cost at most 12x the time."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis import build_analysis
from bench_import import imported_project
from bench_matrix import middle_size
from common import FULL, QUICK, Row, Settings, copy_project, has_command, ratio, stc

TARGET = 12.0


def report_project(settings: Settings, units: int) -> Path:
    root = settings.data / "projects" / f"report-{units}"
    if not (root / ".complete").exists():
        copy_project(imported_project(settings, middle_size(settings)), root)
        build_analysis(root, units)
        (root / ".complete").write_text("")
    return root


def run(settings: Settings) -> list[Row]:
    small, large = settings.report_units
    label = f"stc report all, {large:,} vs {small:,} units"
    if not has_command("report"):
        return [Row(label, None, None, None, f"<= {TARGET:g}x", None,
                    "not available: `stc report` does not exist yet")]
    times = {}
    for units in (small, large):
        root = report_project(settings, units)
        out = settings.data / f"reports-{units}"
        child = stc("report", "all", "--out", str(out), project=root, check=False)
        if child.code != 0:
            error = child.output.strip().splitlines()[-1:] or ["no output"]
            return [Row(label, None, None, None, f"<= {TARGET:g}x", None,
                        f"failed at {units:,} units: {error[0][:120]}")]
        times[units] = child.seconds
    share = ratio(times[large], times[small])
    return [Row(label, times[large], times[small], share, f"<= {TARGET:g}x", share <= TARGET,
                f"floor column: the {small:,}-unit run")]


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
