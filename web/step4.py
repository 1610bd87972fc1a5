"""Step 4 in the workbench, synthesis: the categories and subcategories in their order (moved by
drag or keys), each with its prevalence in words; the analytic text and heading of one, written
beside its condensates and quotations (a paragraph `[U7]` places a quotation, as `stc describe`
reads it), kept as a draft on the server as she types; the results chapter beside it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stc.errors import StcError
from stc.project import Project
from stc.stages import synthesis, writing

from . import trail
from .actions import (
    HIDDEN,
    Form,
    _field,
    _over,
    _tabs,
    act,
    discard_draft,
    keep_draft,
    label,
)
from .pages import (
    EDITOR_STATE,
    LIVE,
    PAGES,
    STATE,
    Notice,
    Params,
    address,
    live,
    number,
    show,
)
from .render import say

EDITOR = ("base", "loaded", "heading_loaded", "replaces")


def step4_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200,
               since: int | None = None) -> Response:
    """The outline, and the editor of `section` (default: the first category); `base`,
    `loaded`: what the editor was loaded with; `on`: the object of the trail panel."""
    with trail.state(project, params) as (conn, as_of):
        shown = writing.desk(conn, params.get("section") or None,
                             number(params.get("base"), "base"), params.get("loaded"))
        section = shown.editor.section if shown.editor else None
        label_ = section.label if section else None
        on = params.get("on") or (f"{section.target.kind}:{label_}" if section else None)
        return show(request, project, "step4.html", "step4",
                    address("/step4", section=label_, as_of=str(as_of) if as_of else None),
                    notice, status, outline=shown.outline, editor=shown.editor, as_of=as_of,
                    on=on, remarks=shown.comments, anchors=shown.anchors,
                    now_url=address("/step4", section=label_),
                    history=trail.panel(request, conn, on),
                    language=project.language, report_language=shown.report_language)


# -- the writes --------------------------------------------------------------------------------

def text(request: Request, form: Form) -> Response:
    section, body, heading = _field(form, "section"), form.get("text", ""), form.get("heading", "")
    return act(request, form,
               lambda: label("describe", section, "-m", HIDDEN, "--heading", HIDDEN),
               lambda p: writing.record(p, section, body, heading, _tabs(request, form),
                                        _over(form, "loaded"),
                                        form.get("heading_over", form.get("heading_loaded"))),
               lambda target: say(request, "Analytic text of %(name)s recorded", name=target.label),
               fresh=EDITOR)


def text_draft(request: Request, form: Form) -> Response:
    section = _field(form, "section")
    return keep_draft(request, "_text_draft.html", lambda project, tab: writing.save_draft(
        project, section, tab, form.get("text", ""), form.get("heading", ""),
        number(form.get("base"), "base") or 0, form.get("replaces") or None))


def text_discard(request: Request, form: Form) -> Response:
    section = _field(form, "section")
    return discard_draft(
        request, form, lambda p: writing.discard(p, section, _tabs(request, form)), EDITOR,
        say(request, "Draft of the analytic text of %(name)s discarded", name=section))


def order(request: Request, form: Form) -> Response:
    """The order of the categories (`kind` group) or of one category's subcategories."""
    kind, names = form.get("kind", ""), form.names
    if kind not in ("group", "subgroup"):
        raise StcError("E723", field="kind")
    group = _field(form, "group") if kind == "subgroup" else None
    words = ["order", "groups", *names] if kind == "group" else \
        ["order", "subgroups", "--group", group or "", *names]
    return act(request, form, lambda: label(*words),
               lambda p: synthesis.set_order(p, kind, names, group),
               lambda rec: say(request, "Categories in order: %(names)s",
                               names=", ".join(rec.payload["names"])) if kind == "group"
               else say(request, "Subcategories of %(group)s in order: %(names)s", group=group,
                        names=", ".join(rec.payload["names"])))


PAGES["step4"] = step4_page
LIVE["step4"] = ("#messages,#outline,#material,#text-conflict,#preview,#trail-panel,"
                 "#section-comments")
STATE["step4"] = "#page-state,#text-state"
EDITOR_STATE["step4"] = "#text-state"

ROUTES = [Route("/step4", live(step4_page), name="step4")]
WRITES = {
    "/step4/text": text,
    "/step4/text/draft": text_draft,
    "/step4/text/discard": text_discard,
    "/step4/order": order,
}
