"""The recontextualisation view in the workbench: one category against every transcript, its
units highlighted, those set aside and the participants' uncoded speech shown plainly, a search
for the category's words within that uncoded speech, and the dated validation memo
(`stc validate`), with comments on a unit or a selected place in a transcript.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stc.project import Project
from stc.stages import recontext, supervision, writing

from . import trail
from .actions import HIDDEN, Form, _field, act, label
from .pages import LIVE, PAGES, Notice, Params, address, live, show
from .render import say


def recontext_page(request: Request, project: Project, params: Params,
                   notice: Notice | None = None, status: int = 200,
                   since: int | None = None) -> Response:
    """The category `group` (default: the first) against the transcripts; `words`: what to
    look for in uncoded speech (default: the category's frequent words); `on`: the object of
    the trail panel."""
    with trail.state(project, params) as (conn, as_of):
        outline = writing.outline(conn)
        group = params.get("group") or (outline[0].target.name if outline else None)
        words = params.get("words")
        shown = (recontext.view(conn, group, words.split() if words is not None else None,
                                project.language, project.pipeline)
                 if group else None)
        name = shown.group.name if shown else None
        on = params.get("on") or (f"group:{name}" if name else None)
        return show(request, project, "recontext.html", "recontext",
                    address("/recontext", group=name, words=words,
                            as_of=str(as_of) if as_of else None), notice, status,
                    view=shown, outline=outline, as_of=as_of, on=on, words=words,
                    now_url=address("/recontext", group=name, words=words),
                    history=trail.panel(request, conn, on), language=project.language)


def validate(request: Request, form: Form) -> Response:
    group, body = _field(form, "group"), _field(form, "text")
    return act(request, form, lambda: label("validate", group, "-m", HIDDEN),
               lambda p: supervision.validate(p, group, body),
               lambda memo: say(
                   request, "%(group)s validated against the transcripts (M%(id)s, change #%(n)s)",
                   group=group, id=memo.id, n=memo.seq))


PAGES["recontext"] = recontext_page
LIVE["recontext"] = "#messages,#categories,#validation,#reading-all,#section-comments,#trail-panel"

ROUTES = [Route("/recontext", live(recontext_page), name="recontext")]
WRITES = {"/recontext/validate": validate}
