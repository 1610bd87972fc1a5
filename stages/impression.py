"""Step 1, total impression: from chaos to themes.

The researcher reads everything, writes her pre-understanding and an impression memo per
transcript, and only then notes 4 to 8 preliminary themes.
"""

from __future__ import annotations

import sqlite3

from stc.stages import Step, StepStatus, count

STEP = Step(1, "Total impression", requires=("documents",),
            produces=("preunderstanding memo", "impression memos", "preliminary themes"))

THEMES_MIN, THEMES_MAX = 4, 8


def status(conn: sqlite3.Connection) -> StepStatus:
    docs = count(conn, "SELECT COUNT(*) FROM documents")
    themes = count(conn, "SELECT COUNT(*) FROM themes")
    pre = count(conn, "SELECT COUNT(*) FROM memos WHERE kind = 'preunderstanding'")
    impressions = count(conn, "SELECT COUNT(DISTINCT ref) FROM memos WHERE kind = 'impression'"
                        " AND ref IN (SELECT id FROM documents)")
    st = StepStatus(STEP, [f"{docs} transcripts", f"{pre} pre-understanding memo(s)",
                           f"{impressions} of {docs} transcripts with an impression memo",
                           f"{themes} preliminary themes (aim for {THEMES_MIN}-{THEMES_MAX})"])
    if docs == 0:
        st.next = "stc import FILE..."
    elif pre == 0:
        st.next = "stc memo add --kind preunderstanding --edit"
    elif impressions < docs:
        st.next = "stc memo add --kind impression --on DOC --edit"
    elif not THEMES_MIN <= themes <= THEMES_MAX:
        st.next = "stc theme add NAME"
    return st
