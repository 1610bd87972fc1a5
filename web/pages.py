"""The pages: each handler opens the project, calls one library function, renders a page.

Handlers are plain functions, so Starlette runs them in its thread pool; each request opens its
own connection to the project (SQLite connections stay in the thread that made them) and so
always reads the project as it is now, changes from a terminal included.

Every page is live: it polls its own address every 2 seconds with `seen`, the change it shows.
Nothing changed answers 204 at once; otherwise the page is rendered again, and htmx swaps in
its parts that show the project (never what the user is typing). Writes (web/actions.py) answer
with the page rendered after the change, through the same renderers (`PAGES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from stc.errors import StcError
from stc.project import Project
from stc.stages import board, meaning_units, views

from .render import render

# errors that say a name or reference in the address does not exist
NOT_FOUND = frozenset({"E202", "E203", "E305", "E401", "E506"})

TAB_HEADER = "x-stc-tab"
_TAB = re.compile(r"[A-Za-z0-9-]{8,64}")
_PIECE = re.compile(r"(\d{1,9})-(\d{1,9})")

# the parts of each page that show the project, swapped in when it changed; `#live` (the poll
# itself) is swapped by the poll as its own target and by every write
LIVE = {
    "transcripts": "#messages,#listing",
    "transcript": "#messages,#reading,#page-state,#unit-panel,#code-list,#filter-code,"
                  "#filter-group,#filter-coders",
    "board": "#page-state,#messages,#board,#checks,#rests-on,#conflict,#units-under,"
             "#quote-live",
    "codes": "#messages,#codes",
}
# what the page's writes, undo and poll send besides their own fields: the page's state, and
# what its editors were loaded with
STATE = {"board": "#page-state,#editor-state,#quote-state"}
EDITOR_STATE = {"board": "#editor-state,#quote-state", "transcript": "#page-state"}


class Params(Protocol):
    """What a page reads its state from: the query of a GET, or the form of a write."""

    def get(self, key: str, /) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class Notice(NamedTuple):
    """What a write did, or why it was refused, shown at the top of the page; `unit`, the
    unit it made or changed (the code picker shows it), with the warnings it came with."""

    text: str
    error: StcError | None = None
    unit: str | None = None
    warnings: tuple[str, ...] = ()


@contextmanager
def opened(request: Request) -> Iterator[Project]:
    state = request.app.state
    project = Project(state.root, state.author)
    try:
        yield project
    finally:
        project.close()


def tab_of(request: Request) -> str | None:
    """The browser tab a request comes from (the page's script sends it), if well formed."""
    tab = request.headers.get(TAB_HEADER, "")
    return tab if _TAB.fullmatch(tab) else None


def flag(value: str | None) -> bool:
    """A check box's value: sent (and not '0') is on."""
    return value not in (None, "", "0")


def number(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 12:
        raise StcError("E722", field=field, value=value[:40])
    return int(value)


def pieces(value: str | None) -> list[tuple[int, int]]:
    """'3-10 20-25' (code-point offsets in a unit's text) -> [(3, 10), (20, 25)]."""
    out = []
    for word in (value or "").split():
        found = _PIECE.fullmatch(word)
        if found is None:
            raise StcError("E724", value=word[:40])
        out.append((int(found.group(1)), int(found.group(2))))
    return out[:50]


def unchanged(request: Request, project: Project) -> bool:
    """Whether the page polling with `seen` shows the project as it is."""
    seen = request.query_params.get("seen")
    return seen is not None and seen == str(project.head()[0])


def live(handler: Callable[[Request, Project, Params], Response]
         ) -> Callable[[Request], Response]:
    """A page handler that answers a poll with 204 when nothing changed since `seen`."""

    def page(request: Request) -> Response:
        with opened(request) as project:
            if unchanged(request, project):
                return Response(status_code=204)
            return handler(request, project, request.query_params)

    page.__name__ = handler.__name__
    return page


def show(request: Request, project: Project, template: str, page: str, url: str,
         notice: Notice | None = None, status: int = 200, **context: Any) -> Response:
    """A page with what every page has: the change it shows, its address (which it polls),
    its live parts and its notice."""
    return render(request, template, status=status, page=page, page_url=url,
                  live_parts=LIVE[page], state_inputs=STATE.get(page, "#page-state"),
                  live_include=EDITOR_STATE.get(page, ""), seen=project.head()[0],
                  notice=notice, **context)


def address(path: str, **params: str | None) -> str:
    given = {k: v for k, v in params.items() if v}
    return path + (f"?{urlencode(given)}" if given else "")


# -- the pages -------------------------------------------------------------------------------
#
# Each takes what the page shows (`params`), and after a write its notice, its status, and
# `since`: the change the page showed before it. Only the reading view uses `since`: it answers
# with the rows the write changed when that is all that changed (a 20,000-word transcript is
# not rendered again for one new unit).

def transcripts_page(request: Request, project: Project, params: Params,
                     notice: Notice | None = None, status: int = 200,
                     since: int | None = None) -> Response:
    listing = views.transcript_list(project.conn)
    return show(request, project, "transcripts.html", "transcripts", "/", notice, status,
                transcripts=listing)


def transcript_page(request: Request, project: Project, params: Params,
                    notice: Notice | None = None, status: int = 200,
                    since: int | None = None) -> Response:
    """The reading view of `doc`: filtered by `code`, `group` and, when `coders` is sent, the
    coders in `show`; `unit` is the unit whose panel is open; `snap` (on unless '0') widens
    selections to whole words."""
    code = params.get("code") or None
    group = params.get("group") or None
    coders = params.getlist("show") if params.get("coders") else None
    doc = params.get("doc") or request.path_params.get("doc", "")
    view = views.transcript(project.conn, doc, code=code, group=group, coders=coders,
                            since=since)
    opened = (params.get("unit") or "").strip().upper() or None
    panel = views.unit_detail(project.conn, opened) if opened else None
    url = address(f"/transcripts/{quote(view.id, safe='')}", code=code, group=group)
    return show(request, project, "transcript.html" if view.only is None else "_rows.html",
                "transcript", url, notice, status, view=view, code=code, group=group,
                snap=params.get("snap") != "0", opened=opened, panel=panel,
                language=project.language)


def board_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200,
               since: int | None = None) -> Response:
    """The step-3 workspace of a code group: `group`, `edit` (the condensate editor's
    GROUP/SUBGROUP), `unit` (the quotation editor's unit) and `pieces` (a selection in it);
    `base`/`loaded` and `quote_base`/`quote_loaded`: what the editors were loaded with."""
    work = board.workspace(
        project.conn, params.get("group") or None, params.get("edit") or None,
        params.get("unit") or None, pieces(params.get("pieces")),
        board.Seen(number(params.get("base"), "base"), params.get("loaded")),
        board.Seen(number(params.get("quote_base"), "quote_base"), params.get("quote_loaded")),
        tab_of(request))
    url = address("/board", group=work.board.group.name if work else None,
                  edit=work.editor.condensate.target.label if work and work.editor else None)
    return show(request, project, "board.html", "board", url, notice, status, work=work,
                language=project.language, fresh=bool(params.get("pieces")))


def codes_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200,
               since: int | None = None) -> Response:
    tree = meaning_units.code_tree(project.conn)
    return show(request, project, "codes.html", "codes", "/codes", notice, status, tree=tree,
                groups=board.groups(project.conn))


# -- parts of the reading view ----------------------------------------------------------------

def selection(request: Request) -> Response:
    """The code picker's view of a selection (`start`, `end` in code points): the unit it
    would make, its text, the question before it, its warnings, or why it is refused."""
    params = request.query_params
    allow = flag(params.get("allow_interviewer"))
    with opened(request) as project:
        try:
            chosen = views.selection(
                project.conn, request.path_params["doc"],
                number(params.get("start"), "start") or 0, number(params.get("end"), "end") or 0,
                snap=params.get("snap") != "0", allow_interviewer=allow)
        except StcError as error:
            return render(request, "_selection.html", status=400, chosen=None, error=error,
                          allow=False, language="")
        language = project.language
    return render(request, "_selection.html", chosen=chosen, error=None, allow=allow,
                  language=language)


def unit_panel(request: Request) -> Response:
    """The panel of one unit (`unit`), as the reading view of `doc` shows it."""
    with opened(request) as project:
        ref = request.query_params.get("unit") or ""
        return render(request, "_unit.html", panel=views.unit_detail(project.conn, ref),
                      opened=ref.strip().upper(), seen=project.head()[0], notice=None,
                      language=project.language)


PAGES: dict[str, Callable[..., Response]] = {
    "transcripts": transcripts_page, "transcript": transcript_page, "board": board_page,
    "codes": codes_page}

transcripts = live(transcripts_page)
transcript = live(transcript_page)
board_view = live(board_page)
codes = live(codes_page)


def stop(request: Request) -> Response:
    request.app.state.on_quit()
    return render(request, "stopped.html")


def library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StcError)
    status = 404 if exc.code in NOT_FOUND else 400
    return render(request, "error.html", status=status, error=exc)


def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return render(request, "error.html", status=405,
                      error=StcError("E715", path=f"{request.method} {request.url.path}"))
    return render(request, "error.html", status=404, error=StcError("E715", path=request.url.path))
