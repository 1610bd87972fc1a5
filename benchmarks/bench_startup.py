"""Start-up: `stc --version` and `stc status` on the largest imported project against
`python -c "import sqlite3, click"`, the least a Python command line over SQLite can do."""

from __future__ import annotations

import sys

from bench_import import imported_project
from common import FULL, PYTHON, QUICK, STC, Row, Settings, compile_bytecode, median_times, ratio

TARGET = 1.5


def run(settings: Settings) -> list[Row]:
    project = imported_project(settings, settings.largest)
    compile_bytecode()
    commands = {"stc --version": [STC, "--version"],
                f"stc status, {settings.largest} transcripts":
                    [STC, "--project", str(project), "status"]}
    floor, *times = median_times([[PYTHON, "-c", "import sqlite3, click"], *commands.values()],
                                 settings.repeats)
    rows = []
    for label, seconds in zip(commands, times, strict=True):
        share = ratio(seconds, floor)
        rows.append(Row(f"start-up: {label}", seconds, floor, share, f"<= {TARGET}x",
                        share <= TARGET, f"median of {settings.repeats} runs, interleaved"))
    return rows


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
