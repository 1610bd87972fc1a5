"""The writes: each handler parses its form, calls one library function inside one command with
its label (`workbench: sort U1 U4 --into 'G/S'`, so `stc log` shows where a change came from),
and answers with its page as the project is after it, or with the refusal and the page as it is.

A write names `based_on`, the change the page showed when the user acted: a change to anything
changed since by another tab or a terminal is refused (E323), never written over unseen; an
editor names the version of its text it began from, and is refused when another was recorded
since (E726). Each tab keeps the commands it made (`Tabs`), so that its undo and redo are its
own.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from stc import naming
from stc.errors import StcError
from stc.project import Project
from stc.stages import board, condensation, meaning_units, synthesis

from .pages import PAGES, Notice, flag, number, opened, tab_of
from .render import pages_language, refusal, render, say

Endpoint = Callable[[Request], Awaitable[Response]]
HIDDEN = "…"  # free text in a label, as the command line in the trail hides it
MAX_COMMANDS = 1000  # per tab: undo reaches this far back
MAX_FIELDS = 2000  # in one form: the cards of a large board
CONFLICTS = frozenset({"E323", "E726"})  # refused: changed elsewhere since the page showed it


class Tabs:
    """The commands each browser tab made, numbered by their first change."""

    def __init__(self) -> None:
        self._made: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def made(self, tab: str | None, command: int | None) -> None:
        if tab is None or command is None:
            return
        with self._lock:
            commands = self._made.setdefault(tab, [])
            commands.append(command)
            del commands[:-MAX_COMMANDS]

    def commands(self, tab: str | None) -> set[int]:
        with self._lock:
            return set(self._made.get(tab, [])) if tab else set()


def write(handler: Callable[[Request, Form], Response]) -> Endpoint:
    """An endpoint that reads the form, then runs `handler` in the thread pool; a form it
    refuses (a reason left out) gets the page with the refusal, as a refused change does."""

    def guarded(request: Request, form: Form) -> Response:
        try:
            if form.get("as_of"):  # a page showing an earlier state changes nothing
                raise StcError("E740", seq=form["as_of"][:12])
            return handler(request, form)
        except StcError as error:
            with opened(request) as project:
                return again(request, project, form, Notice(refusal(request, error), error), 400)

    async def endpoint(request: Request) -> Response:
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"),
                          keep_blank_values=True, max_num_fields=MAX_FIELDS)
        return await run_in_threadpool(guarded, request, Form(pairs))

    endpoint.__name__ = handler.__name__
    return endpoint


class Form(dict[str, str]):
    """A form's fields (the last value of each), and every value of `units` and `names`."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs
        self.units = [u for k, v in pairs if k == "units" for u in v.split()]
        self.names = [v for k, v in pairs if k == "names"]

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k == key]

    def but(self, leave: Sequence[str] = (), fields: Mapping[str, str] | None = None) -> Form:
        """The form without the fields `leave`, with `fields` set."""
        fields = fields or {}
        return Form([(k, v) for k, v in self.pairs if k not in leave and k not in fields]
                    + list(fields.items()))


def _units(form: Form) -> list[str]:
    if not form.units:
        raise StcError("E725")
    return form.units


def _field(form: Form, name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise StcError("E723", field=name)
    return value


def _reason(form: Form, what: str) -> str:
    """The reason the form gives; `what` (the change, in the language of the pages) names
    what a missing one was needed for."""
    why = form.get("why", "").strip()
    if not why:
        raise StcError("E720", what=what)
    return why


def label(*words: str) -> str:
    """The command line a workbench action is recorded with: names quoted as a shell would,
    free text hidden."""
    return "workbench: " + " ".join(w if w == HIDDEN else shlex.quote(w) for w in words)


def refs(units: Sequence[str]) -> str:
    return ", ".join(u.strip().upper() for u in units)


def act(request: Request, form: Form, what: Callable[[], str],
        do: Callable[[Project], Any], done: Callable[[Any], str | Notice],
        fresh: Sequence[str] = (), moved: Callable[[Any], dict[str, str]] | None = None
        ) -> Response:
    """Run `do` as one command labelled `what()` (read after the form is checked), based on
    the page's `based_on`; answer with the page after it (`fresh`: fields of the page that
    start anew after it, such as what an editor was loaded with; `moved`: fields that follow
    what the change did, such as the editor of a subgroup renamed)."""
    tab = tab_of(request)
    with opened(request) as project:
        try:
            based_on = number(form.get("based_on"), "based_on")
            with project.command(what, based_on=based_on) as recording:
                result = do(project)
        except StcError as error:
            return again(request, project, form, Notice(refusal(request, error), error),
                         409 if error.code in CONFLICTS else 400)
        request.app.state.tabs.made(tab, recording.id)
        after = form.but(fresh, moved(result) if moved else None)
        said = done(result)
        return again(request, project, after, said if isinstance(said, Notice) else Notice(said),
                     since=based_on)


def again(request: Request, project: Project, form: Form, notice: Notice,
          status: int = 200, since: int | None = None) -> Response:
    """The page the form came from (`page`), as the project is now (the parts changed since
    change `since`, where the page can tell). A refusal leaves what the request would have
    replaced (an editor) alone: htmx swaps only the page's live parts."""
    page = PAGES.get(form.get("page", ""), PAGES["board"])
    response = page(request, project, form, notice, status, since)
    if notice.error is not None:
        response.headers["HX-Reswap"] = "none"
    return response


# -- the board ---------------------------------------------------------------------------------

def sort(request: Request, form: Form) -> Response:
    units, into = _units(form), _field(form, "into")
    return act(request, form, lambda: label("sort", *units, "--into", into),
               lambda p: condensation.sort_units(p, units, into),
               lambda done: say(request, "%(units)s sorted into %(into)s", units=refs(units),
                                  into=into))


def set_aside(request: Request, form: Form) -> Response:
    units, why = _units(form), _reason(form, say(request, "setting units aside"))
    return act(request, form, lambda: label("set-aside", *units, "--why", HIDDEN),
               lambda p: condensation.set_aside(p, units, why),
               lambda done: say(request, "%(units)s set aside", units=refs(units)))


def unsort(request: Request, form: Form) -> Response:
    units = _units(form)
    return act(request, form, lambda: label("unsort", *units),
               lambda p: condensation.unsort(p, units),
               lambda done: say(request, "%(units)s taken back: waiting to be sorted",
                                  units=refs(units)))


def subgroup_add(request: Request, form: Form) -> Response:
    group, name = _field(form, "group"), _field(form, "name")
    return act(request, form, lambda: label("subgroup", "add", group, name),
               lambda p: condensation.add_subgroup(p, group, name),
               lambda rec: say(request, "Subgroup %(name)s added",
                               name=f"{rec.payload['group_name']}/{rec.payload['name']}"))


def subgroup_rename(request: Request, form: Form) -> Response:
    old, new = _field(form, "subgroup"), _field(form, "new")
    why = _reason(form, say(request, "renaming a subgroup"))
    return act(request, form, lambda: label("rename", "subgroup", old, new, "--why", HIDDEN),
               lambda p: meaning_units.rename(p, "subgroup", old, new, why),
               lambda named: say(request, "%(old)s renamed %(new)s", old=old, new=named.ref),
               moved=lambda named: _editing(form, old, named.ref))


def subgroup_merge(request: Request, form: Form) -> Response:
    old, into = _field(form, "subgroup"), _field(form, "into")
    why = _reason(form, say(request, "merging subgroups"))
    return act(request, form,
               lambda: label("merge", "subgroup", old, "--into", into, "--why", HIDDEN),
               lambda p: meaning_units.merge(p, "subgroup", [old], into, why),
               lambda done: say(request, "%(old)s merged into %(into)s", old=old,
                                  into=done[1].ref),
               moved=lambda done: _editing(form, old, done[1].ref))


def _editing(form: Form, old: str, new: str) -> dict[str, str]:
    """The condensate editor of a subgroup renamed or merged follows it to its new name."""
    if naming.key(form.get("edit", "")) == naming.key(old):
        return {"edit": new}
    return {}


def subgroup_order(request: Request, form: Form) -> Response:
    group = _field(form, "group")
    names = form.names
    return act(request, form, lambda: label("order", "subgroups", "--group", group, *names),
               lambda p: synthesis.set_order(p, "subgroup", names, group),
               lambda rec: say(request, "Subgroups of %(group)s in order: %(names)s", group=group,
                               names=", ".join(rec.payload["names"])))


# -- the condensate editor ---------------------------------------------------------------------

def _tabs(request: Request, form: Form, field: str = "replaces") -> list[str]:
    """The tab asking, and the tab whose draft its editor took over (`field`), if another."""
    return [t for t in (tab_of(request), form.get(field) or None) if t]


def _over(form: Form, field: str) -> str | None:
    """The version of the text an editor began from (`field`), or the one she chose to record
    over after seeing it beside hers (`record_over`); None when the form names neither."""
    return form.get("record_over", form.get(field))


def condensate(request: Request, form: Form) -> Response:
    target, text = _field(form, "target"), form.get("text", "")
    return act(request, form, lambda: label("condense", target, "-m", HIDDEN),
               lambda p: board.record_condensate(p, target, text, _tabs(request, form),
                                                 _over(form, "loaded")),
               lambda done: say(request, "Condensate of %(name)s recorded, resting on %(units)s",
                                name=done.target.label, units=condensation.ids(done.rests_on)),
               fresh=("base", "loaded", "replaces"))


def condensate_draft(request: Request, form: Form) -> Response:
    target, text = _field(form, "target"), form.get("text", "")
    return keep_draft(request, "draft_status.html", lambda project, tab:
                      board.save_condensate_draft(project, target, tab, text,
                                                  number(form.get("base"), "base") or 0,
                                                  form.get("replaces") or None))


def condensate_discard(request: Request, form: Form) -> Response:
    target = _field(form, "target")
    return discard_draft(
        request, form, lambda p: board.discard_condensate_draft(p, target, _tabs(request, form)),
        ("base", "loaded", "replaces"),
        say(request, "Draft of the condensate of %(name)s discarded", name=target))


def keep_draft(request: Request, template: str, save: Callable[[Project, str], Any]
               ) -> Response:
    """Keep what an editor holds (no change to the project: a draft, see stc.drafts): `save`
    gets the project and the asking tab; `template` answers with what was kept, or why not."""
    with opened(request) as project:
        try:
            saved = save(project, _tab(request))
        except StcError as error:
            return render(request, template, status=400, saved=None, error=error)
    return render(request, template, saved=saved, error=None)


def discard_draft(request: Request, form: Form, discard: Callable[[Project], object],
                  fresh: Sequence[str], said: str) -> Response:
    """Throw a draft away (`discard`) and answer with the page, its editor fields `fresh`
    starting anew; a refusal is answered by `write`."""
    with opened(request) as project:
        discard(project)
        return again(request, project, form.but(fresh), Notice(said))


def _tab(request: Request) -> str:
    tab = tab_of(request)
    if tab is None:
        raise StcError("E721")
    return tab


# -- the quotation editor ----------------------------------------------------------------------

def quotation(request: Request, form: Form) -> Response:
    unit, quote = _field(form, "unit"), form.get("quote", "")
    return act(request, form, lambda: label("nugget", unit, "--quote", HIDDEN),
               lambda p: board.record_quotation(p, unit, quote,
                                                _tabs(request, form, "quote_replaces"),
                                                _over(form, "quote_loaded")),
               lambda done: say(request, "%(unit)s: illustrative quotation recorded",
                                unit=done.card.ref),
               fresh=("quote_base", "quote_loaded", "quote_replaces", "pieces"))


def quotation_clear(request: Request, form: Form) -> Response:
    unit = _field(form, "unit")
    return act(request, form, lambda: label("nugget", unit, "--clear"),
               lambda p: board.record_quotation(p, unit, None,
                                                _tabs(request, form, "quote_replaces"),
                                                _over(form, "quote_loaded")),
               lambda done: say(request, "%(unit)s is no longer an illustrative quotation",
                                unit=done.card.ref),
               fresh=("quote_base", "quote_loaded", "quote_replaces", "pieces"))


def quotation_draft(request: Request, form: Form) -> Response:
    """Keep the quotation as typed as a draft, and show how the report would print it."""
    unit, quote = _field(form, "unit"), form.get("quote", "")
    with opened(request) as project:
        try:
            saved = board.save_quotation_draft(
                project, unit, _tab(request), quote,
                number(form.get("quote_base"), "quote_base") or 0,
                form.get("quote_replaces") or None)
            shown = board.quotation(project.conn, unit, quote=quote)
        except StcError as error:
            return render(request, "quote_preview.html", status=400, quote=None, saved=None,
                          error=error, language="")
        language = project.language
    return render(request, "quote_preview.html", quote=shown, saved=saved, error=None,
                  language=language)


# -- the reading view: a selection coded, a unit worked on -------------------------------------

def _offset(form: Form, name: str) -> int:
    value = number(form.get(name), name)
    if value is None:
        raise StcError("E723", field=name)
    return value


def code(request: Request, form: Form) -> Response:
    """The code picker's Enter, and a unit panel's Add: the unit exactly at the selection
    (`start`, `end`: code points; widened to words unless `snap` is '0') gets the code `name`,
    made when it is new, as `stc code` records it. The offsets hold for the page's change.
    (A code's field is `name`: `code` is the page's filter.)"""
    doc, name = _field(form, "doc"), _field(form, "name")
    start, end = _offset(form, "start"), _offset(form, "end")
    allow = flag(form.get("allow_interviewer"))
    based_on = number(form.get("based_on"), "based_on")
    return act(request, form,
               lambda: label("code", doc, name, "--quote", HIDDEN,
                             *(["--allow-interviewer"] if allow else [])),
               lambda p: meaning_units.code_span(p, doc, start, end, [name],
                                                 allow_interviewer=allow, based_on=based_on,
                                                 snap=form.get("snap") != "0"),
               lambda made: _coded(request, made))


def _coded(request: Request, unit: meaning_units.NewUnit) -> Notice:
    codes = ", ".join(unit.codes)
    text = (say(request, "U%(id)s is exactly this stretch: %(codes)s added to it", id=unit.id,
                codes=codes) if unit.existing
            else say(request, "U%(id)s made at %(ref)s, coded %(codes)s", id=unit.id,
                     ref=unit.ref, codes=codes))
    return Notice("; ".join([text, *unit.said]), unit=f"U{unit.id}",
                  warnings=tuple(unit.warnings))


def _corrected(correction: meaning_units.Correction, text: str) -> Notice:
    return Notice("; ".join([text, *correction.said]), unit=f"U{correction.units[0]}",
                  warnings=tuple(correction.warnings))


def uncode(request: Request, form: Form) -> Response:
    unit, name = _field(form, "unit"), _field(form, "name")
    return act(request, form, lambda: label("uncode", unit, name),
               lambda p: meaning_units.uncode(p, unit, [name]),
               lambda done: _corrected(done, say(request, "%(code)s taken off %(unit)s",
                                                         code=name, unit=refs([unit]))))


def note(request: Request, form: Form) -> Response:
    unit, text = _field(form, "unit"), form.get("text", "")
    return act(request, form, lambda: label("unit", "note", unit, "-m", HIDDEN),
               lambda p: meaning_units.note_unit(p, unit, text),
               lambda done: _corrected(done, (
                   say(request, "Note on %(unit)s written", unit=refs([unit])) if text.strip()
                   else say(request, "Note on %(unit)s cleared", unit=refs([unit])))))


def move(request: Request, form: Form) -> Response:
    """A unit's new boundaries, selected in the text; `offsets_on`: the change the page
    showed the text at (the unit panel's own `based_on` may be later)."""
    unit = _field(form, "unit")
    start, end = _offset(form, "start"), _offset(form, "end")
    allow = flag(form.get("allow_interviewer"))
    offsets_on = number(form.get("offsets_on"), "offsets_on")
    return act(request, form,
               lambda: label("unit", "edit", unit, "--quote", HIDDEN,
                             *(["--allow-interviewer"] if allow else [])),
               lambda p: meaning_units.move_unit(p, unit, start, end, allow,
                                                 snap=form.get("snap") != "0",
                                                 based_on=offsets_on),
               lambda done: _corrected(done, say(request, "%(unit)s moved", unit=refs([unit]))))


def delete(request: Request, form: Form) -> Response:
    unit, why = _field(form, "unit"), _reason(form, say(request, "deleting a unit"))
    return act(request, form, lambda: label("unit", "delete", unit, "--why", HIDDEN),
               lambda p: meaning_units.delete_unit(p, unit, why),
               lambda done: _corrected(done, say(request, "%(unit)s deleted", unit=refs([unit]))))


# -- undo and redo: this tab's own commands ----------------------------------------------------

EDITORS = ("base", "loaded", "replaces", "quote_base", "quote_loaded", "pieces")


def undo(request: Request, form: Form) -> Response:
    mine = request.app.state.tabs.commands(tab_of(request))
    return act(request, form, lambda: "workbench: undo", lambda p: p.undo(among=mine),
               lambda done: say(request, "Undone: %(what)s",
                                what=done[1].describe(pages_language(request))),
               fresh=EDITORS)


def redo(request: Request, form: Form) -> Response:
    mine = request.app.state.tabs.commands(tab_of(request))
    return act(request, form, lambda: "workbench: redo", lambda p: p.redo(among=mine),
               lambda done: say(request, "Redone: %(what)s", what=done[1].payload.get("label")
                                or say(request, "the change undone")),
               fresh=EDITORS)


# -- the code list -----------------------------------------------------------------------------

def code_rename(request: Request, form: Form) -> Response:
    old, new = _field(form, "code"), _field(form, "new")
    why = _reason(form, say(request, "renaming a code"))
    return act(request, form, lambda: label("rename", "code", old, new, "--why", HIDDEN),
               lambda p: meaning_units.rename(p, "code", old, new, why),
               lambda named: say(request, "Code %(old)s renamed %(new)s", old=old,
                                   new=named.name))


def code_merge(request: Request, form: Form) -> Response:
    old, into = _field(form, "code"), _field(form, "into")
    why = _reason(form, say(request, "merging codes"))
    return act(request, form, lambda: label("merge", "code", old, "--into", into, "--why", HIDDEN),
               lambda p: meaning_units.merge(p, "code", [old], into, why),
               lambda done: say(request, "Code %(old)s merged into %(into)s", old=old,
                                  into=done[1].name))


def code_move(request: Request, form: Form) -> Response:
    code, group = _field(form, "code"), _field(form, "group")
    why = _reason(form, say(request, "moving a code to another group"))
    return act(request, form, lambda: label("group", code, "--into", group, "--why", HIDDEN),
               lambda p: meaning_units.group_codes(p, [code], group, why),
               lambda done: say(request, "Code %(code)s moved into %(group)s", code=code,
                                  group=done[0].name))
