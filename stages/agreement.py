"""Agreement between two coders at the segment level: percent agreement and Cohen's κ.

Each compared sentence segment is one decision per code and coder: coded with the code (some
unit of the coder carrying the code touches the segment) or not. The segments compared are those
of participants' speech and any other segment a unit of either coder touches
(`stc.stages.coders`): the interviewer's questions nobody coded would add agreement on "not
coded" that nobody decided, and so inflate both figures. For one code the two coders' decisions
over n segments make a 2×2 table:

                    B coded   B not
        A coded        a        b
        A not          c        d

    percent agreement  p_o = (a + d) / n
    chance agreement   p_e = ((a + b)(a + c) + (c + d)(b + d)) / n²
    Cohen's κ          κ = (p_o − p_e) / (1 − p_e)

κ is undefined when p_e = 1: both coders made the same single choice for every segment (both
coded all of them, or both none), so there is no variation to agree beyond chance about. It is
then reported as undefined, never as 0 or 1. Percent agreement is undefined only without
segments.

The overall figures pool the codes: every (segment, code) decision of the compared codes in one
2×2 table, and κ from that table. Pooling counts agreement on which codes are frequent as agreement
beyond chance, so the per-code figures are the ones to read for a code.

Krippendorff's unitized α (cu-α) is not computed: it comes only with a test that reproduces a
published worked example exactly.

Pure functions, no I/O: the comparison of two coders' units (`stc.stages.coders`) feeds them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

UNDEFINED = "undefined"


class Table(NamedTuple):
    """Two coders' yes/no decisions over the same segments, counted."""

    both: int  # a: both coded the segment
    only_a: int  # b
    only_b: int  # c
    neither: int  # d

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither


def table(a: Sequence[bool], b: Sequence[bool]) -> Table:
    """The 2×2 table of two coders' decisions, segment by segment."""
    if len(a) != len(b):
        raise ValueError("both coders must decide on the same segments")
    both = sum(1 for x, y in zip(a, b, strict=True) if x and y)
    only_a = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    only_b = sum(1 for x, y in zip(a, b, strict=True) if y and not x)
    return Table(both, only_a, only_b, len(a) - both - only_a - only_b)


def table_of_sets(a: Collection[Any], b: Collection[Any], segments: int) -> Table:
    """The table from the sets of segments each coder coded, out of `segments` in all."""
    both = len(set(a) & set(b))
    only_a, only_b = len(a) - both, len(b) - both
    return Table(both, only_a, only_b, segments - both - only_a - only_b)


def percent_agreement(t: Table) -> float | None:
    """p_o as a share (0 to 1); None without segments."""
    if t.n == 0:
        return None
    return (t.both + t.neither) / t.n


def chance_agreement(t: Table) -> float | None:
    """p_e: the agreement expected from each coder's own share of coded segments."""
    if t.n == 0:
        return None
    return _expected_n2(t) / t.n ** 2


def _expected_n2(t: Table) -> int:
    a, b, c, d = t
    return (a + b) * (a + c) + (c + d) * (b + d)


def cohen_kappa(t: Table) -> float | None:
    """Cohen's κ, or None where it is undefined (no segments, or p_e = 1)."""
    n = t.n
    expected = _expected_n2(t)  # p_e · n², in whole numbers so that p_e = 1 is exact
    if n == 0 or expected == n * n:
        return None
    return (n * (t.both + t.neither) - expected) / (n * n - expected)


class Figures(NamedTuple):
    """Agreement on one code (or on all codes pooled)."""

    code: str | None  # None: all compared codes pooled
    table: Table

    @property
    def percent(self) -> float | None:
        return percent_agreement(self.table)

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.table)

    @property
    def coded_a(self) -> int:
        return self.table.both + self.table.only_a

    @property
    def coded_b(self) -> int:
        return self.table.both + self.table.only_b

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "segments": self.table.n, "coded_a": self.coded_a,
                "coded_b": self.coded_b, "both": self.table.both, "only_a": self.table.only_a,
                "only_b": self.table.only_b, "neither": self.table.neither,
                "percent_agreement": self.percent, "chance_agreement":
                chance_agreement(self.table), "kappa": self.kappa}


def figures(codes: Iterable[str], coded_a: dict[str, set[Any]], coded_b: dict[str, set[Any]],
            segments: int) -> tuple[list[Figures], Figures]:
    """Per code, and pooled over the codes: each coder's coded segments per code, out of
    `segments` segments in all."""
    per_code = [Figures(code, table_of_sets(coded_a.get(code, set()),
                                            coded_b.get(code, set()), segments))
                for code in codes]
    return per_code, Figures(None, pooled([f.table for f in per_code]))


def pooled(tables: Iterable[Table]) -> Table:
    """The tables of several codes as one: every (segment, code) decision counted once."""
    cells = [0, 0, 0, 0]
    for t in tables:
        cells = [x + y for x, y in zip(cells, t, strict=True)]
    return Table(*cells)


def shown(value: float | None, digits: int = 3) -> str:
    """A figure for people: rounded, or 'undefined'."""
    return UNDEFINED if value is None else f"{value:.{digits}f}"


def shown_percent(value: float | None) -> str:
    return UNDEFINED if value is None else f"{100 * value:.1f} %"
