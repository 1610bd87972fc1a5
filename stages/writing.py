"""Step 4 in the workbench: the categories and subcategories in the user's order with the
prevalence behind each, and the editor of one analytic text with its heading, its material (the
condensates it is written from, the illustrative quotations it may place with a paragraph
`[U7]`, as `stc describe` does) and the drafts it keeps until they are recorded.

Read models take a connection (so they also show `project.replayed(N)`); the writes take a
`Project` and call step 4's own functions (`stc.stages.synthesis`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from stc import drafts
from stc.history import changed_since
from stc.participants import named
from stc.project import Project
from stc.settings import values
from stc.stages.board import printed_quotation
from stc.stages.condensation import (
    Target,
    group_units,
    resolve_target,
    subgroups_of,
    target_units,
    unit_source_text,
)
from stc.stages.prevalence import Prevalence, prevalence
from stc.stages.supervision import Comment, comments_on
from stc.stages.synthesis import describe, placed_units
from stc.texts import get_text
from stc.trail import head
from stc.units import participants_by_unit


class Section(NamedTuple):
    """A category (a code group) or subcategory (a subgroup) in the outline of step 4."""

    target: Target
    heading: str  # as the report heads it: the heading, else the name
    described: bool  # whether it has an analytic text
    prevalence: Prevalence | None
    subsections: list[Section]  # a category's subcategories, in order

    @property
    def label(self) -> str:
        return self.target.label


def outline(conn: sqlite3.Connection) -> list[Section]:
    """Every category with its subcategories, in the user's order, each with its heading,
    whether it is described, and its prevalence in the report language's words."""
    counted = {(p.group, p.subgroup): p for p in prevalence(conn, values(conn).report_language)}
    out = []
    for g in conn.execute("SELECT id, name, heading, description FROM code_groups"
                          " ORDER BY position, id").fetchall():
        group = Target("group", int(g["id"]), str(g["name"]), int(g["id"]), str(g["name"]))
        subs = [Section(Target("subgroup", int(s["id"]), str(s["name"]), group.id, group.name),
                        s["heading"] or s["name"], s["description"] is not None,
                        counted.get((group.name, s["name"])), [])
                for s in subgroups_of(conn, group.id)]
        out.append(Section(group, g["heading"] or group.name, g["description"] is not None,
                           counted.get((group.name, None)), subs))
    return out


def section(conn: sqlite3.Connection, ref: str) -> Section:
    """One category or subcategory of the outline (`GROUP`, `GROUP/SUBGROUP`)."""
    target = resolve_target(conn, ref)
    for category in outline(conn):
        for found in (category, *category.subsections):
            if found.target[:2] == target[:2]:
                return found
    raise AssertionError(f"{target.label} is not in the outline")  # resolve_target found it


# -- the material an analytic text is written from --------------------------------------------

class Placeable(NamedTuple):
    """An illustrative quotation the analytic text may place with a paragraph `[U7]`."""

    unit: int
    printed: str  # as the results chapter prints it
    placed: bool  # whether the text places it already

    @property
    def ref(self) -> str:
        return f"U{self.unit}"


class Material(NamedTuple):
    """What an analytic text is written from: condensates and illustrative quotations."""

    condensates: list[tuple[str, str]]  # (GROUP or GROUP/SUBGROUP, the condensate)
    quotations: list[Placeable]


def _shown_units(conn: sqlite3.Connection, target: Target) -> list[int]:
    """The units whose quotations the chapter prints under the section (reports/model.py):
    a subcategory's, or a category's own when it has no subcategories."""
    if target.kind == "group" and subgroups_of(conn, target.id):
        return []
    return target_units(conn, target)


def material(conn: sqlite3.Connection, target: Target, text: str | None) -> Material:
    owners = [target]
    if target.kind == "group":
        owners += [Target("subgroup", int(s["id"]), str(s["name"]), target.id, target.name)
                   for s in subgroups_of(conn, target.id)]
    condensates = []
    for owner in owners:
        digest = conn.execute(f"SELECT condensate FROM {owner.table} WHERE id = ?",
                              (owner.id,)).fetchone()[0]
        written = get_text(conn, digest)
        if written:
            condensates.append((owner.label, written))
    placed = set(placed_units(text))
    units = _shown_units(conn, target)
    who = participants_by_unit(conn)
    quotations = []
    for unit in units:
        nugget = get_text(conn, conn.execute("SELECT nugget FROM units WHERE id = ?",
                                             (unit,)).fetchone()[0])
        if nugget:
            printed = printed_quotation(conn, unit_source_text(conn, unit), nugget,
                                        named(conn, who.get(unit, [])))
            quotations.append(Placeable(unit, printed, unit in placed))
    return Material(condensates, quotations)


# -- the editor --------------------------------------------------------------------------------

class TextEditor(NamedTuple):
    """The editor of one analytic text and its heading, as the page shows it."""

    section: Section
    recorded: str  # the analytic text recorded ('' for none)
    digest: str | None  # its hash: which version of it this is
    heading: str  # the heading recorded ('' for none: the report uses the name)
    draft: drafts.Draft | None  # a draft of the text not yet recorded, offered back
    heading_draft: drafts.Draft | None  # and of the heading
    base: int  # the change the editor holds the text as of
    changed: int | None  # the change that rewrote it elsewhere since the editor loaded it
    material: Material
    placed_elsewhere: list[int]  # units `[U7]` names that are no quotation of this section

    @property
    def key(self) -> str:
        return text_key(self.section.target)


def text_key(target: Target) -> str:
    """What the drafts of a section's analytic text are kept under."""
    return f"description:{target.kind}:{target.id}"


def heading_key(target: Target) -> str:
    return f"heading:{target.kind}:{target.id}"


def editor(conn: sqlite3.Connection, ref: str, base: int | None = None,
           loaded: str | None = None) -> TextEditor:
    """The editor of the analytic text of `ref`. A page that loaded it at change `base`,
    when its text was the version `loaded` (its hash; '' for none), learns which change
    rewrote it since, if another tab or a terminal did."""
    shown = section(conn, ref)
    target = shown.target
    row = conn.execute(f"SELECT description, heading FROM {target.table} WHERE id = ?",
                       (target.id,)).fetchone()
    recorded = get_text(conn, row["description"]) or ""
    heading = row["heading"] or ""
    changed = None
    if base is not None and loaded is not None and loaded != (row["description"] or ""):
        key = f"{target.kind}:{target.id}"
        changed = changed_since(conn, {key}, base).get(key) or head(conn)[0]
    draft = drafts.newest(conn, text_key(target), unlike=recorded)
    text = draft.body if draft else recorded
    found = material(conn, target, text)
    offered = {q.unit for q in found.quotations}
    return TextEditor(shown, recorded, row["description"], heading, draft,
                      drafts.newest(conn, heading_key(target), unlike=heading),
                      head(conn)[0] if base is None else base, changed, found,
                      [u for u in placed_units(text) if u not in offered])


def _docs(conn: sqlite3.Connection, target: Target) -> list[str]:
    """The transcripts whose words a draft of the section may hold: those of its units."""
    units = group_units(conn, target.group_id)
    return [str(r[0]) for r in conn.execute(
        f"SELECT DISTINCT doc FROM units WHERE id IN ({','.join('?' * len(units))})",
        units)] if units else []


def save_draft(project: Project, ref: str, tab: str, text: str, heading: str, base: int,
               replaces: str | None = None) -> drafts.Draft:
    """Keep what the editor of `ref` holds, its text and its heading, as tab `tab`'s drafts
    (see stc.drafts); they name the transcripts of the category's units."""
    conn = project.conn
    target = resolve_target(conn, ref)
    docs = _docs(conn, target)
    drafts.save(conn, heading_key(target), tab, heading, base, docs, replaces)
    return drafts.save(conn, text_key(target), tab, text, base, docs, replaces)


def record(project: Project, ref: str, text: str, heading: str, tabs: Sequence[str] = (),
           over: str | None = None, heading_over: str | None = None) -> Target:
    """Record the analytic text and heading of `ref` (`stc describe`; `over` and
    `heading_over`: the versions the editor began from, refused when others were recorded
    since), then drop the drafts of them that `tabs` kept."""
    conn = project.conn
    target = resolve_target(conn, ref)
    row = conn.execute(f"SELECT description, heading FROM {target.table} WHERE id = ?",
                       (target.id,)).fetchone()
    new_text = None if text.strip() == (get_text(conn, row["description"]) or "") else text
    new_heading = None if heading.strip() == (row["heading"] or "") else heading
    if new_text is not None or new_heading is not None:  # else nothing to record
        describe(project, ref, text=new_text, heading=new_heading, over=over,
                 heading_over=heading_over)
    discard(project, ref, tabs)
    return target


def discard(project: Project, ref: str, tabs: Sequence[str]) -> int:
    target = resolve_target(project.conn, ref)
    return (drafts.discard(project.conn, text_key(target), tabs)
            + drafts.discard(project.conn, heading_key(target), tabs))


# -- the whole page ----------------------------------------------------------------------------

class Desk(NamedTuple):
    """Step 4's page: the outline, the editor of one section, the comments on it."""

    outline: list[Section]
    editor: TextEditor | None
    anchors: list[str]  # what a comment on the section may stand on
    comments: list[Comment]  # the comments that stand on those
    report_language: str  # the language the prevalence words and the report are in


def anchors(editor: TextEditor) -> list[str]:
    """What a comment on the section in the editor may stand on (the page names each by its
    kind: text, condensate, group or subgroup)."""
    shown = editor.section
    out = [f"text:{shown.label}", f"{shown.target.kind}:{shown.label}"]
    if editor.material.condensates and (shown.target.kind == "subgroup"
                                        or not shown.subsections):
        out.append(f"condensate:{shown.label}")
    return out


def desk(conn: sqlite3.Connection, ref: str | None = None, base: int | None = None,
         loaded: str | None = None) -> Desk:
    """The outline and the editor of `ref` (default: the first category; `base`, `loaded`
    as for `editor`)."""
    shown = outline(conn)
    chosen = ref or (shown[0].label if shown else None)
    opened = editor(conn, chosen, base, loaded) if chosen else None
    where = anchors(opened) if opened else []
    return Desk(shown, opened, where, comments_on(conn, where),
                values(conn).report_language)
