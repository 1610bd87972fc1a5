"""`stc search --regex "(.+)+QQQ"`, a pattern that backtracks for ever in Python's `re`, against
`stc search QQQ`, the plain word search, on the middle-sized corpus: with RE2 the regular
expression costs about what the word search costs."""

from __future__ import annotations

import sys

from bench_import import imported_project
from bench_matrix import middle_size
from common import FULL, QUICK, STC, Row, Settings, compile_bytecode, median_times, ratio

TARGET = 3.0
PATTERN = "(.+)+QQQ"


def run(settings: Settings) -> list[Row]:
    size = middle_size(settings)
    project = imported_project(settings, size)
    label = f"stc search --regex {PATTERN}, {size} transcripts"
    try:
        import re2  # noqa: F401
    except ImportError:
        return [Row(label, None, None, None, f"<= {TARGET:g}x", None,
                    "not measured: google-re2 is not installed (the pattern is refused)")]
    compile_bytecode()
    base = [STC, "--project", str(project), "search"]
    floor, seconds = median_times([[*base, "QQQ"], [*base, "--regex", PATTERN]],
                                  settings.rounds)
    share = ratio(seconds, floor)
    return [Row(label, seconds, floor, share, f"<= {TARGET:g}x", share <= TARGET,
                f"floor: the word search; median of {settings.rounds} runs, interleaved")]


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
