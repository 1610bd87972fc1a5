"""Supervision in the workbench: the supervisor's comments (added on a unit, a place in a
transcript, a category, its condensate or its analytic text; listed open and resolved; resolved),
and what changed since a meeting: since a change, a seal or a date, per object, in plain words
with a word diff of every rewritten text. The same library functions as `stc comment`,
`stc comments` and `stc diff --since`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stc.project import Project
from stc.stages import supervision

from . import trail
from .actions import HIDDEN, Form, _field, act, label
from .pages import LIVE, PAGES, Notice, Params, address, live, show
from .render import pages_language, say


def comments_page(request: Request, project: Project, params: Params,
                  notice: Notice | None = None, status: int = 200,
                  since: int | None = None) -> Response:
    """Every comment, open ones first; a form to add one anywhere."""
    with trail.state(project, params) as (conn, as_of):
        listed = supervision.comments(conn)
        places = {c.id: supervision.place_of(conn, c.ref) for c in listed}
        return show(request, project, "comments.html", "comments",
                    address("/comments", as_of=str(as_of) if as_of else None), notice, status,
                    listed=listed, places=places, as_of=as_of, now_url="/comments")


def since_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200,
               since: int | None = None) -> Response:
    """What changed since `since`: a change number, a seal's number or a date (UTC unless it
    names a zone). A seal is named by the change it sealed: a page reads no files."""
    asked = (params.get("since") or "").strip()
    found = supervision.since_meeting(project.conn, asked, pages_language(request))
    return show(request, project, "since.html", "since", address("/since", since=asked),
                notice, status, asked=asked, found=found)


# -- the writes --------------------------------------------------------------------------------

def comment_add(request: Request, form: Form) -> Response:
    ref, body = _field(form, "ref"), form.get("text", "")
    return act(request, form, lambda: label("comment", "add", ref, "-m", HIDDEN),
               lambda p: supervision.add_comment(p, ref, body),
               lambda made: say(request, "C%(id)s added on %(ref)s", id=made.id, ref=made.ref))


def comment_resolve(request: Request, form: Form) -> Response:
    ref, note = _field(form, "comment"), form.get("note", "").strip() or None
    return act(request, form,
               lambda: label("comment", "resolve", ref, *(["-m", HIDDEN] if note else [])),
               lambda p: supervision.resolve_comment(p, ref, note),
               lambda done: say(request, "C%(id)s resolved", id=done.id))


PAGES.update({"comments": comments_page, "since": since_page})
LIVE.update({"comments": "#messages,#comment-list", "since": "#messages,#since-changes"})

ROUTES = [Route("/comments", live(comments_page), name="comments"),
          Route("/since", live(since_page), name="since")]
WRITES = {"/comments/add": comment_add, "/comments/resolve": comment_resolve}
