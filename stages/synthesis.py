"""Step 4, synthesizing: from condensation to descriptions and concepts."""

from __future__ import annotations

import sqlite3

from stc.stages import Step, StepStatus, count

STEP = Step(4, "Synthesis", requires=("condensates", "illustrative quotations"),
            produces=("analytic texts", "categories", "report"))


def status(conn: sqlite3.Connection) -> StepStatus:
    groups = count(conn, "SELECT COUNT(*) FROM code_groups")
    described = count(conn, "SELECT COUNT(*) FROM code_groups WHERE description IS NOT NULL")
    subgroups = count(conn, "SELECT COUNT(*) FROM subgroups")
    sub_described = count(conn, "SELECT COUNT(*) FROM subgroups WHERE description IS NOT NULL")
    st = StepStatus(STEP, [f"{described} of {groups} categories described",
                           f"{sub_described} of {subgroups} subcategories described"])
    if groups == 0 or described < groups or sub_described < subgroups:
        st.next = "stc describe GROUP[/SUBGROUP] --edit"
    else:
        st.next = "stc check"
    return st
