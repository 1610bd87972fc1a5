"""The one table `make bench` prints."""

from __future__ import annotations

from common import Row


def _secs(value: float | None) -> str:
    return "" if value is None else f"{value:.3f} s"


def print_table(rows: list[Row]) -> None:
    header = ("measure", "stc", "floor", "ratio", "target", "met", "note")
    lines = [(r.measure, _secs(r.seconds), _secs(r.floor),
              "" if r.ratio is None else f"{r.ratio:.2f}x", r.target,
              {True: "yes", False: "NO", None: "-"}[r.met], r.note) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    for i, line in enumerate([header, *lines]):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
