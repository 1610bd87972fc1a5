"""The trail in the workbench: the project's latest changes, the history of the object a page
shows (across its renames and merges), and browsing an earlier state read-only.

An earlier state is the project replayed up to change N (`Project.replayed(N)`, as `--as-of N`),
a private copy in memory: the pages of steps 1 and 4, the recontextualisation, the comments and
the report preview show it when their address holds `as_of=N`, without a single form; and every
write sent with `as_of` is refused (`actions.write`), so nothing can be changed from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stc.project import Project
from stc.stages import history_view

from .pages import LIVE, PAGES, Notice, Params, live, number, show
from .render import pages_language

AS_OF = "as_of"


@contextmanager
def state(project: Project, params: Params) -> Iterator[tuple[Any, int | None]]:
    """The state a page shows: the project as it is, or as of change `as_of` (read-only): a
    connection for the read models, and the change it shows the project after (None: now)."""
    as_of = number(params.get(AS_OF), AS_OF)
    if as_of is None:
        yield project.conn, None
        return
    conn = project.replayed(as_of)
    try:
        yield conn, as_of
    finally:
        conn.close()


def panel(request: Request, conn: Any, ref: str | None) -> list[history_view.Entry]:
    """The history a page's trail panel shows: that of `ref`, the object in view, in the
    language of the pages."""
    return history_view.object_changes(conn, ref, pages_language(request)) if ref else []


def trail_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200) -> Response:
    """The project's latest changes, each a way into the project as it was after it."""
    entries = history_view.recent(project.conn, limit=100, language=pages_language(request))
    return show(request, project, "trail.html", "trail", "/trail", notice, status,
                entries=entries, as_of=None)


PAGES["trail"] = trail_page
LIVE["trail"] = "#messages,#changes"

ROUTES = [Route("/trail", live(trail_page), name="trail")]
