"""Import: words per second of `stc import` against spaCy's own nlp.pipe, and peak memory.

Every corpus size is imported into a new project (kept under .data/projects/ for the start-up and
later benchmarks). The speed ratio is taken at the largest size; peak memory at every size, to
show whether it grows with the corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import FULL, PYTHON, QUICK, Row, Settings, fresh, ratio, run_child, stc
from corpus import corpus, files, word_count

HERE = Path(__file__).resolve().parent
MEMORY_LIMIT_MB = 1024


def project_path(settings: Settings, size: int) -> Path:
    return settings.data / "projects" / f"import-{settings.lang}-{size}x{settings.words}"


def imported_project(settings: Settings, size: int) -> Path:
    """The project holding the corpus of `size` transcripts (made by `run` if missing)."""
    path = project_path(settings, size)
    if not (path / ".complete").exists():
        _import(settings, size)
    return path


def _import(settings: Settings, size: int) -> tuple[float, float, int, float]:
    """(seconds, peak MB, words, cpu seconds) of importing the corpus into a new project."""
    paths = files(corpus(size, settings.words, settings.lang, settings.data))
    project = fresh(project_path(settings, size))
    stc("init", str(project), "--language", settings.lang, "--title", f"bench {size}")
    child = stc("import", *map(str, paths), project=project)
    (project / ".complete").write_text("")
    return child.seconds, child.max_rss_mb, word_count(paths), child.cpu


def spacy_floor(settings: Settings, size: int) -> tuple[float, float]:
    paths = files(corpus(size, settings.words, settings.lang, settings.data))
    listing = settings.data / f"files-{size}.txt"
    listing.write_text("\n".join(map(str, paths)), encoding="utf-8")
    floor = run_child([PYTHON, str(HERE / "floors.py"), "spacy", settings.lang,
                      str(listing)])
    return floor.seconds, floor.cpu


def run(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    memory: dict[int, float] = {}
    for size in settings.sizes:
        seconds, peak, words, cpu = _import(settings, size)
        memory[size] = peak
        if size == settings.largest:
            floor, floor_cpu = spacy_floor(settings, size)
            speed, floor_speed = words / seconds, words / floor
            share = floor_speed and speed / floor_speed
            rows.append(Row(
                f"import words/s, {size} transcripts ({words:,} words)", seconds, floor,
                share, ">= 0.8x", share >= 0.8,
                f"stc {speed:,.0f} words/s; spaCy nlp.pipe {floor_speed:,.0f} words/s;"
                f" cpu {cpu:.1f} s vs {floor_cpu:.1f} s"))
    for size, peak in memory.items():
        rows.append(Row(f"import peak memory, {size} transcripts", None, None, None,
                        f"< {MEMORY_LIMIT_MB} MB", peak < MEMORY_LIMIT_MB,
                        f"{peak:,.0f} MB, the largest of stc and its worker processes"))
    smallest, largest = min(memory), max(memory)
    if largest > smallest:
        growth = ratio(memory[largest], memory[smallest])
        rows.append(Row(f"import memory {largest} vs {smallest} transcripts", None, None,
                        growth, "<= 1.5x", growth <= 1.5,
                        f"{memory[smallest]:,.0f} MB -> {memory[largest]:,.0f} MB"))
    return rows


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
