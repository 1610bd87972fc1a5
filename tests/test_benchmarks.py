"""The benchmarks run end to end on the smallest size, so they cannot rot (no timings asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_every_benchmark_runs_on_the_smallest_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--data", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    for measure in ("import words/s", "import peak memory", "start-up: stc --version",
                    "start-up: stc status", "stc matrix import", "stc verify",
                    "stc report all", "stc report all --format docx,xlsx", "stc report audit",
                    "stc search --regex", "workbench: reading view",
                    "workbench: selection -> unit -> highlight"):
        assert measure in table, table


def test_generated_analysis_is_a_valid_project(tmp_path: Path) -> None:
    """The data the matrix and report benchmarks feed to stc is what stc itself accepts."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from analysis import build_analysis, write_matrix
        from bench_import import imported_project
        from bench_verify import build_trail
        from common import QUICK, Settings, copy_project, stc
    finally:
        sys.path.remove(str(BENCHMARKS))
    settings = Settings(**{**QUICK.__dict__, "data": tmp_path})
    source = imported_project(settings, 3)
    analysed = copy_project(source, tmp_path / "analysed")
    build_analysis(analysed, 50)
    assert "state equals the replay" in stc("verify", project=analysed).output
    assert write_matrix(analysed, 50, tmp_path / "m.xlsx").stat().st_size > 0
    trail = copy_project(source, tmp_path / "trail")
    build_trail(trail, 300)
    assert "300 changes" in stc("verify", project=trail).output
