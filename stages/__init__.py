"""Malterud's four steps of systematic text condensation, one module each.

    1. impression      total impression: memos, preliminary themes, frequent words
    2. meaning_units   meaning units, codes, code groups, search, the coding matrix
    3. condensation    subgroups, condensates, illustrative quotations
    4. synthesis       analytic texts, categories, prevalence, checks

Each module declares its `STEP` (what it needs and what it produces) and a `status` function
that tells how far the project has come in that step; `stc status` shows them in order.
Installed as `stc.stages`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Step(NamedTuple):
    """One of Malterud's four steps: what it needs and what it produces."""

    number: int
    name: str
    requires: tuple[str, ...]
    produces: tuple[str, ...]


@dataclass
class StepStatus:
    """How far the project has come in one step, and what to do next."""

    step: Step
    facts: list[str] = field(default_factory=list)
    next: str | None = None  # the one thing to do next in this step, as a command

    @property
    def done(self) -> bool:
        return self.next is None


def overview(conn: sqlite3.Connection, reports: Path | None = None) -> list[StepStatus]:
    """Each step's status; step 4 looks at the reports in `reports` too."""
    from stc.stages import condensation, impression, meaning_units, synthesis

    steps: list[Callable[[sqlite3.Connection], StepStatus]] = [
        impression.status, meaning_units.status, condensation.status,
        lambda c: synthesis.status(c, reports),
    ]
    return [status(conn) for status in steps]


def count(conn: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])
