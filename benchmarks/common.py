"""What every benchmark shares: settings per size, timing a child process, the result rows."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import DATA

PYTHON = sys.executable
STC = str(Path(PYTHON).parent / "stc")


@dataclass(frozen=True)
class Settings:
    """How big the measured data is. `quick` is the smoke test's size: everything runs, fast."""

    sizes: tuple[int, ...] = (10, 100, 1000)   # transcripts per corpus
    words: int = 10_000                        # words per transcript
    matrix_units: int = 20_000
    report_units: tuple[int, int] = (60, 20_000)  # a thesis; a large analysis
    verify_changes: int = 100_000
    repeats: int = 15                          # start-up runs; the median is reported
    rounds: int = 5                            # runs of longer measures; the median is reported
    data: Path = DATA
    lang: str = "en"

    @property
    def largest(self) -> int:
        return max(self.sizes)


QUICK = Settings(sizes=(3,), words=600, matrix_units=60, report_units=(20, 200),
                 verify_changes=600, repeats=2, rounds=1)
FULL = Settings()


@dataclass
class Row:
    """One line of the table: a measured time against its floor, and the target."""

    measure: str
    seconds: float | None       # the stc run
    floor: float | None         # the floor, same data, same run
    ratio: float | None
    target: str                 # e.g. "<= 1.5x"
    met: bool | None            # None: not measured (the note says why)
    note: str = ""


@dataclass(frozen=True)
class Child:
    seconds: float
    max_rss_mb: float
    code: int
    output: str
    cpu: float = 0.0  # user + system seconds, less sensitive than wall time to a busy machine


def run_child(args: list[str], cwd: Path | None = None, check: bool = True) -> Child:
    """Run a command; its wall time, peak resident memory (ru_maxrss) and output."""
    env = {**os.environ, "STC_AUTHOR": "bench", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("STC_PROJECT", None)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}... exited {proc.returncode}:\n{output[-2000:]}")
    return Child(seconds, usage.ru_maxrss / 1024, proc.returncode, output,
                 usage.ru_utime + usage.ru_stime)


def interleaved_runs(commands: list[list[str]], repeats: int) -> list[list[Child]]:
    """Each command run `repeats` times, in turn round after round, so a machine that gets
    busier or quieter during the measurement weighs on all of them alike."""
    for args in commands:
        run_child(args)  # warm the file cache
    runs: list[list[Child]] = [[] for _ in commands]
    for _ in range(repeats):
        for args, done in zip(commands, runs, strict=True):
            done.append(run_child(args))
    return runs


def median_times(commands: list[list[str]], repeats: int) -> list[float]:
    """The median wall time of each command, from `interleaved_runs`."""
    return [statistics.median(c.seconds for c in runs)
            for runs in interleaved_runs(commands, repeats)]


def median_child(runs: list[Child]) -> Child:
    """The run of median wall time."""
    return sorted(runs, key=lambda c: c.seconds)[len(runs) // 2]


def compile_bytecode() -> None:
    """Write stc's bytecode, as installing a wheel does. Every child runs with
    PYTHONDONTWRITEBYTECODE, so an editable install would otherwise compile stc's modules
    from source on every start."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([PYTHON, "-m", "compileall", "-q", *(str(root / d) for d in
                                                         ("stc", "stages", "reports"))],
                   check=True, stdout=subprocess.DEVNULL)


def stc(*args: str, project: Path | None = None, check: bool = True) -> Child:
    command = [STC, *(("--project", str(project)) if project else ()), *args]
    return run_child(command, check=check)


def has_command(*words: str) -> bool:
    return stc(*words, "--help", check=False).code == 0


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(source, fresh(target))
    return target


def ratio(seconds: float, floor: float) -> float:
    return seconds / floor if floor > 0 else float("inf")
