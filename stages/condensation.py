"""Step 3, condensation: from code to meaning."""

from __future__ import annotations

import sqlite3

from stc.stages import Step, StepStatus, count

STEP = Step(3, "Condensation", requires=("code groups", "meaning units"),
            produces=("subgroups", "condensates", "illustrative quotations"))


def status(conn: sqlite3.Connection) -> StepStatus:
    subgroups = count(conn, "SELECT COUNT(*) FROM subgroups")
    condensed = count(conn, "SELECT COUNT(*) FROM subgroups WHERE condensate IS NOT NULL")
    nuggets = count(conn, "SELECT COUNT(*) FROM units WHERE nugget IS NOT NULL")
    st = StepStatus(STEP, [f"{subgroups} subgroups, {condensed} with a condensate",
                           f"{nuggets} illustrative quotations"])
    if count(conn, "SELECT COUNT(*) FROM code_groups") == 0:
        st.next = "stc group CODE... --into GROUP"
    elif subgroups == 0:
        st.next = "stc subgroup add GROUP NAME"
    elif condensed < subgroups:
        st.next = "stc condense GROUP/SUBGROUP --edit"
    elif nuggets == 0:
        st.next = "stc nugget UNIT"
    return st
