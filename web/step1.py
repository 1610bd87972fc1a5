"""Step 1 in the workbench, total impression: the pre-understanding memo (and whether coding
began before it was written), an impression memo per transcript, the preliminary themes with
Malterud's 4-8, and the frequent words (lemmas) with their places in the transcripts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stc.errors import StcError
from stc.project import Project
from stc.stages import impression, meaning_units

from . import trail
from .actions import HIDDEN, Form, _field, _reason, act, label
from .pages import LIVE, PAGES, Notice, Params, address, live, opened, show
from .render import render, say

# the memos step 1 writes: a validation memo is step 4's (`stc validate`)
WRITTEN_HERE = tuple(kind for kind in impression.MEMO_KINDS if kind != "validation")


def step1_page(request: Request, project: Project, params: Params,
               notice: Notice | None = None, status: int = 200,
               since: int | None = None) -> Response:
    """Step 1 at a glance; `on`: the object whose history the trail panel shows."""
    on = params.get("on") or None
    with trail.state(project, params) as (conn, as_of):
        return show(request, project, "step1.html", "step1",
                    address("/step1", as_of=str(as_of) if as_of else None, on=on), notice,
                    status, overview=impression.overview(conn), as_of=as_of, on=on,
                    now_url=address("/step1", on=on), history=trail.panel(request, conn, on),
                    language=project.language)


def terms(request: Request) -> Response:
    """The frequent words across the transcripts and in each (loaded after the page: counting
    lemmas takes a moment)."""
    with opened(request) as project:
        found = impression.terms(project, top=15)
    return render(request, "_terms.html", terms=found)


def search_page(request: Request, project: Project, params: Params,
                notice: Notice | None = None, status: int = 200,
                since: int | None = None) -> Response:
    """Where a word is said: `q`, every form of its lemma unless `exact`, in `doc` or all."""
    words = (params.get("q") or "").strip()
    exact = bool(params.get("exact"))
    doc = params.get("doc") or None
    hits = impression.where_said(project, words, exact, doc) if words else []
    return show(request, project, "search.html", "search",
                address("/search", q=words, doc=doc, exact="1" if exact else None), notice,
                status, q=words, exact=exact, doc=doc, hits=hits, language=project.language)


# -- the writes --------------------------------------------------------------------------------

def memo_add(request: Request, form: Form) -> Response:
    body, kind = _field(form, "text"), form.get("kind", "")
    if kind not in WRITTEN_HERE:
        raise StcError("E412", kinds=", ".join(WRITTEN_HERE), kind=kind)
    on = form.get("on", "").strip() or None
    return act(request, form,
               lambda: label("memo", "add", "--kind", kind, *(["--on", on] if on else []),
                             "-m", HIDDEN),
               lambda p: impression.add_memo(p, body, kind=kind, on=on),
               lambda memo: say(request, "M%(id)s written: %(what)s", id=memo.id,
                                 what=_memo_name(request, kind, on)))


def _memo_name(request: Request, kind: str, on: str | None) -> str:
    if kind == "preunderstanding":
        return say(request, "the pre-understanding")
    if kind == "impression" and on:
        return say(request, "an impression of %(doc)s", doc=on)
    return say(request, "a note")


def theme_add(request: Request, form: Form) -> Response:
    name = _field(form, "name")
    return act(request, form, lambda: label("theme", "add", name),
               lambda p: impression.add_themes(p, [name]),
               lambda added: say(request, "Preliminary theme %(name)s added", name=added[0]))


def theme_rename(request: Request, form: Form) -> Response:
    old, new = _field(form, "theme"), _field(form, "new")
    why = _reason(form, say(request, "renaming a theme"))
    return act(request, form, lambda: label("theme", "rename", old, new, "--why", HIDDEN),
               lambda p: meaning_units.rename(p, "theme", old, new, why),
               lambda named: say(request, "Theme %(old)s renamed %(new)s", old=old,
                                  new=named.name))


def theme_drop(request: Request, form: Form) -> Response:
    name = _field(form, "theme")
    why = _reason(form, say(request, "dropping a theme"))
    return act(request, form, lambda: label("drop", "theme", name, "--why", HIDDEN),
               lambda p: meaning_units.drop(p, "theme", name, why=why),
               lambda done: say(request, "Theme %(name)s dropped; stc undo brings it back",
                                 name=done[0].name))


PAGES.update({"step1": step1_page, "search": search_page})
LIVE.update({"step1": "#messages,#preunderstanding,#impressions,#themes,#trail-panel",
             "search": "#messages,#hits"})

ROUTES = [
    Route("/step1", live(step1_page), name="step1"),
    Route("/step1/terms", terms, name="terms"),
    Route("/search", live(search_page), name="search"),
]
WRITES = {
    "/step1/memo": memo_add,
    "/step1/theme/add": theme_add,
    "/step1/theme/rename": theme_rename,
    "/step1/theme/drop": theme_drop,
}
