"""Step 2, identifying and sorting meaning units: from themes to codes."""

from __future__ import annotations

import sqlite3

from stc.stages import Step, StepStatus, count

STEP = Step(2, "Meaning units and codes", requires=("documents", "preliminary themes"),
            produces=("meaning units", "codes", "code groups"))


def status(conn: sqlite3.Connection) -> StepStatus:
    units = count(conn, "SELECT COUNT(*) FROM units")
    codes = count(conn, "SELECT COUNT(*) FROM codes")
    ungrouped = count(conn, "SELECT COUNT(*) FROM codes WHERE group_id IS NULL")
    groups = count(conn, "SELECT COUNT(*) FROM code_groups")
    review = count(conn, "SELECT COUNT(*) FROM units WHERE review IS NOT NULL")
    st = StepStatus(STEP, [f"{units} meaning units", f"{codes} codes ({ungrouped} not in a group)",
                           f"{groups} code groups"])
    if review:
        st.facts.append(f"{review} units to review after a re-import")
    if units == 0:
        st.next = "stc code DOC:N-M CODE..."
    elif ungrouped:
        st.next = "stc group CODE... --into GROUP"
    elif review:
        st.next = "stc units --review"
    return st
