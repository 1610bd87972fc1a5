"""Run every benchmark and print one table (`make bench`).

    python benchmarks/run.py            full sizes: 10, 100 and 1,000 transcripts
    python benchmarks/run.py --quick    the smallest sizes, to check that everything runs
    python benchmarks/run.py import verify   only the named benchmarks (`make bench-web`: web)

Generated corpora and projects are kept in benchmarks/.data/ (git-ignored) and reused.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import
import bench_matrix
import bench_report
import bench_search
import bench_startup
import bench_verify
import bench_web
from common import FULL, QUICK, Row, Settings
from report_table import print_table

BENCHMARKS = {
    "import": bench_import.run,
    "startup": bench_startup.run,
    "matrix": bench_matrix.run,
    "verify": bench_verify.run,
    "report": bench_report.run,
    "search": bench_search.run,
    "web": bench_web.run,
}


def main(argv: list[str]) -> int:
    settings: Settings = QUICK if "--quick" in argv else FULL
    if "--data" in argv:
        settings = Settings(**{**settings.__dict__, "data": Path(argv[argv.index("--data") + 1])})
    chosen = [a for a in argv if a in BENCHMARKS] or list(BENCHMARKS)
    rows: list[Row] = []
    began = time.perf_counter()
    for name in chosen:
        print(f"[{time.perf_counter() - began:7.1f} s] {name} ...", file=sys.stderr, flush=True)
        rows += BENCHMARKS[name](settings)
    print_table(rows)
    print(f"\n{len(rows)} figures in {time.perf_counter() - began:.0f} s;"
          f" ratios are stc against the floor measured in this run on the same data.")
    return 1 if any(r.met is False for r in rows) and "--strict" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
