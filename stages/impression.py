"""Step 1, total impression: from chaos to themes.

The researcher reads everything, writes her pre-understanding and an impression memo per
transcript, and only then notes 4 to 8 preliminary themes.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stc import naming
from stc.changes.analysis import MEMO_KINDS as MEMO_KINDS  # the kinds, where memos are made
from stc.errors import StcError
from stc.lookup import KINDS, object_of, resolve_ref
from stc.project import Project
from stc.reading import documents
from stc.refs import UNIT_REF, resolve_doc
from stc.search import Hit, search, search_lemma
from stc.stages import Step, StepStatus, count
from stc.stages.meaning_units import add_named
from stc.texts import must_text, ref_owner
from stc.trail import cancelled_in, load_payload
from stc.words import counted

STEP = Step(1, "Total impression", requires=("documents",),
            produces=("preunderstanding memo", "impression memos", "preliminary themes"))

THEMES_MIN, THEMES_MAX = 4, 8


def status(conn: sqlite3.Connection) -> StepStatus:
    docs = count(conn, "SELECT COUNT(*) FROM documents")
    themes = count(conn, "SELECT COUNT(*) FROM themes")
    pre = count(conn, "SELECT COUNT(*) FROM memos WHERE kind = 'preunderstanding'")
    impressions = count(conn, "SELECT COUNT(DISTINCT ref) FROM memos WHERE kind = 'impression'"
                        " AND ref IN (SELECT id FROM documents)")
    st = StepStatus(STEP, [counted(docs, "transcript"), counted(pre, "pre-understanding memo"),
                           f"{impressions} of {counted(docs, 'transcript')} with an impression"
                           " memo",
                           f"{counted(themes, 'preliminary theme')}"
                           f" (aim for {THEMES_MIN}-{THEMES_MAX})"])
    if docs == 0:
        st.next = "stc import FILE..."
    elif pre == 0:
        st.next = "stc memo add --kind preunderstanding --edit"
    elif impressions < docs:
        st.next = "stc memo add --kind impression --on DOC --edit"
    elif not THEMES_MIN <= themes <= THEMES_MAX:
        st.next = "stc theme add NAME"
    return st


# -- preliminary themes ------------------------------------------------------------------------

@dataclass
class ThemeInfo:
    """A preliminary theme and the code groups grown out of it."""

    id: int
    name: str
    position: int
    groups: list[str] = field(default_factory=list)  # code groups grown out of the theme


def themes(conn: sqlite3.Connection) -> list[ThemeInfo]:
    out = [ThemeInfo(r[0], r[1], r[2]) for r in
           conn.execute("SELECT id, name, position FROM themes ORDER BY position, id")]
    by_id = {t.id: t for t in out}
    for theme_id, group in conn.execute(
            "SELECT from_theme, name FROM code_groups WHERE from_theme IS NOT NULL"
            " ORDER BY position"):
        if theme_id in by_id:
            by_id[theme_id].groups.append(group)
    return out


def theme_warning(count_: int) -> str | None:
    """Malterud's guidance: 4 to 8 preliminary themes."""
    if count_ < THEMES_MIN:
        return (f"{counted(count_, 'preliminary theme')}; Malterud suggests {THEMES_MIN} to"
                f" {THEMES_MAX}"
                " after reading everything")
    if count_ > THEMES_MAX:
        return (f"{count_} preliminary themes; Malterud suggests at most {THEMES_MAX}:"
                " consider merging some (stc merge theme A B --into C)")
    return None


def add_themes(project: Project, names: list[str], why: str | None = None) -> list[str]:
    """Add preliminary themes; all or none."""
    added: list[str] = []
    with project.batch(why) as b:
        for name in names:
            add_named(b, "theme", name)
            added.append(name.strip())
    return added


# -- memos -------------------------------------------------------------------------------------



class Memo(NamedTuple):
    """A memo with the change that wrote it."""

    id: int
    kind: str
    ref: str | None
    body: str
    seq: int
    at: str
    author: str

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


def add_memo(project: Project, body: str, kind: str | None = None, on: str | None = None,
             why: str | None = None) -> Memo:
    """A memo on the project or on REF; by default an impression when on a transcript."""
    if on is not None and not on.strip():  # not the project: nothing was named
        raise StcError("E149")
    ref = resolve_ref(project.conn, on) if on else None
    if kind is None:
        on_document = ref is not None and ":" not in ref and not UNIT_REF.fullmatch(ref)
        kind = "impression" if on_document else "note"
    if kind not in MEMO_KINDS:
        raise StcError("E412", kinds=", ".join(MEMO_KINDS), kind=kind)
    with project.batch(why) as b:
        memo_id = b.next_id("memos")
        payload = {"id": memo_id, "kind": kind, "ref": ref,
                   "body": b.text(body, ref_owner(b.conn, ref))}
        named = object_of(b.conn, ref) if ref else None
        if named is not None:
            payload["on"] = f"{named.kind}:{named.id}"  # follows renames and merges
        rec = b.record("memo.add", payload)
    return Memo(memo_id, kind, ref, body, rec.seq, rec.at, rec.author)


def memos(conn: sqlite3.Connection, on: str | None = None, kind: str | None = None
          ) -> list[Memo]:
    """Memos, oldest first; a memo on a theme, code, group or subgroup shows the name that
    thing bears now, after renames and merges."""
    if kind and kind not in MEMO_KINDS:
        raise StcError("E412", kinds=", ".join(MEMO_KINDS), kind=kind)
    rows = conn.execute("SELECT m.id, m.kind, m.ref, m.body, m.seq, t.at, t.author, m.on_key"
                        " FROM memos m JOIN trail t ON t.seq = m.seq ORDER BY m.id").fetchall()
    renames = _renames(conn) if any(r[2] and r[2].split(":")[0] in KINDS and not r[7]
                                    for r in rows) else []
    wanted = naming.key(resolve_ref(conn, on)) if on else None
    out = []
    for r in rows:
        # a memo written on an object by id shows its current name (the store keeps it so);
        # one written before, on a name, follows the renames of that name
        ref = r[2] if r[7] or not r[2] else _current_ref(r[2], r[4], renames)
        if kind and r[1] != kind:
            continue
        if wanted and not (ref and (naming.key(ref) == wanted
                                    or naming.key(ref).startswith(wanted + ":"))):
            continue
        out.append(Memo(r[0], r[1], ref, must_text(conn, r[3]), r[4], r[5], r[6]))
    return out


def _renames(conn: sqlite3.Connection) -> list[tuple[int, str, list[str], str]]:
    """(seq, kind, old names, new name) of every rename and merge still in effect."""
    undone = cancelled_in(conn)
    out = []
    for seq, change, payload in conn.execute(
            "SELECT seq, kind, payload FROM trail WHERE kind IN ('rename', 'merge')"
            " ORDER BY seq"):
        if seq in undone:
            continue
        p = load_payload(payload)
        if change == "rename":
            out.append((seq, p["kind"], [p["old"]], p["new"]))
        else:  # subgroup names in a merge are GROUP/SUBGROUP; keep the subgroup part
            names = [n.rsplit("/", 1)[-1] if p["kind"] == "subgroup" else n for n in p["names"]]
            into = p["into_name"]
            out.append((seq, p["kind"], names,
                        into.rsplit("/", 1)[-1] if p["kind"] == "subgroup" else into))
    return out


def _current_ref(ref: str, since: int, renames: list[tuple[int, str, list[str], str]]) -> str:
    kind, sep, name = ref.partition(":")
    if not sep or kind not in KINDS:
        return ref
    group, slash, sub = name.rpartition("/") if kind == "subgroup" else ("", "", name)
    for seq, changed, old, new in renames:
        if seq <= since:
            continue
        folded = [naming.key(o) for o in old]
        if changed == kind and naming.key(sub) in folded:
            sub = new
        elif kind == "subgroup" and changed == "group" and naming.key(group) in folded:
            group = new
    return f"{kind}:{group}{slash}{sub}"


# -- frequent words ----------------------------------------------------------------------------

class Terms(NamedTuple):
    """The most frequent words of one transcript or of all of them: each lemma's group of
    forms counted together and shown by its most frequent form ("alliansen 7")."""

    doc: str | None  # None: across all transcripts
    words: int
    top: list[tuple[str, str, int]]  # the most frequent form, the lemma, the count

    def as_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "words": self.words,
                "top": [{"word": word, "lemma": lemma, "count": n}
                        for word, lemma, n in self.top]}


def _spoken(conn: sqlite3.Connection, doc: str, all_speakers: bool) -> list[str]:
    """The text of the document's turns, the interviewer's left out unless asked, and lines
    that belong to no speaker (headings, notes above the interview) left out always."""
    row = conn.execute("SELECT text, version FROM documents WHERE id = ?", (doc,)).fetchone()
    text = must_text(conn, row[0])
    turns = conn.execute("SELECT start, end, role, speaker FROM turns WHERE doc = ?"
                         " AND version = ? ORDER BY turn", (doc, row[1])).fetchall()
    labelled = any(speaker for *_, speaker in turns)
    return [text[s:e] for s, e, role, speaker in turns
            if (all_speakers or role != "interviewer") and (speaker or not labelled)]


def terms(project: Project, doc: str | None = None, top: int = 20,
          all_speakers: bool = False) -> list[Terms]:
    """Most frequent words per transcript and across them, stop words left out: the forms of
    a lemma counted together, shown by their most frequent form."""
    conn = project.conn
    lang = project.language
    docs = [resolve_doc(conn, doc)] if doc else \
        [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    pipeline = project.pipeline
    overall: dict[str, Counter[str]] = {}
    out: list[Terms] = []
    total = 0
    for d in docs:
        words, forms = counted_lemmas(_spoken(conn, d, all_speakers), lang, pipeline)
        for lemma, counted_forms in forms.items():
            overall.setdefault(lemma, Counter()).update(counted_forms)
        total += words
        out.append(Terms(d, words, _top(forms, top)))
    if len(docs) > 1:
        out.append(Terms(None, total, _top(overall, top)))
    return out


def counted_lemmas(texts: Iterable[str], lang: str, pipeline: str | None = None
                   ) -> tuple[int, dict[str, Counter[str]]]:
    """The words of `texts`, and each lemma's forms counted (stop words and fillers left
    out): what `terms` counts per transcript, and the workbench per category."""
    from stc.language import lemma_of, lemma_pipeline, pieces, stop_words

    nlp = lemma_pipeline(lang, pipeline)
    stops = stop_words(lang)
    forms: dict[str, Counter[str]] = {}  # lemma -> its forms, counted
    words = 0
    # lower-cased first: lookup tables hold lower-case forms ("Walking" -> "walk")
    spoken = (piece for t in texts for _, piece in pieces(t.lower(), nlp.max_length))
    for parsed in nlp.pipe(spoken, batch_size=64):
        for token in parsed:
            if not token.is_alpha:
                continue
            words += 1
            form = token.text.lower()
            if form in stops or form in FILLERS or len(form) < 2:
                continue
            lemma = lemma_of(token, lang)
            if lemma not in stops:
                forms.setdefault(lemma, Counter())[form] += 1
    return words, forms


def frequent(texts: Iterable[str], lang: str, pipeline: str | None = None, top: int = 10
             ) -> list[tuple[str, str, int]]:
    """The `top` lemmas said most often in `texts`: (most frequent form, lemma, count)."""
    return _top(counted_lemmas(texts, lang, pipeline)[1], top)


def where_said(project: Project, words: str, exact: bool = False, doc: str | None = None
               ) -> list[Hit]:
    """Where `words` are said, in `doc` or every transcript: every form of their lemmas (as
    `stc search --lemma`), or only the forms given (`exact`). Where a frequent word leads."""
    if exact:
        return search(project.conn, words, doc=doc)
    return search_lemma(project.conn, words, project.language, project.pipeline,
                        doc)


# transcription marks and hesitations that stop-word lists do not hold
FILLERS = frozenset({"eh", "ehm", "em", "hm", "hmm", "mhm", "mm", "øh", "öh", "uh", "um", "umm",
                     "ler", "latter", "pause", "laughs", "inaudible", "uhørbart"})


def _top(forms: dict[str, Counter[str]], n: int) -> list[tuple[str, str, int]]:
    """The `n` lemmas said most often, each with its most frequent form (the first in
    alphabetical order among equals) and its count."""
    counts = sorted(((sum(c.values()), lemma) for lemma, c in forms.items()),
                    key=lambda item: (-item[0], item[1]))[:n]
    return [(min(forms[lemma].items(), key=lambda kv: (-kv[1], kv[0]))[0], lemma, total)
            for total, lemma in counts]


# -- step 1 at a glance (the workbench's page) ------------------------------------------------

class Impression(NamedTuple):
    """A transcript with the impression memos written on it."""

    doc: str
    participant: str
    memos: list[Memo]


class Overview(NamedTuple):
    """Step 1 at a glance: the pre-understanding, the impression of each transcript, the
    preliminary themes."""

    preunderstanding: list[Memo]
    coding_began: int | None  # the first meaning unit still in effect, by its change
    impressions: list[Impression]
    themes: list[ThemeInfo]

    @property
    def written_late(self) -> bool:
        """Whether coding began before the pre-understanding was written (or without it):
        Malterud asks for it first, so the page says so."""
        if self.coding_began is None:
            return False
        return not self.preunderstanding or self.preunderstanding[0].seq > self.coding_began

    @property
    def themes_in_range(self) -> bool:
        return THEMES_MIN <= len(self.themes) <= THEMES_MAX


def first_unit(conn: sqlite3.Connection) -> int | None:
    """The change that made the oldest meaning unit still in effect: when coding began."""
    undone = cancelled_in(conn)
    for (seq,) in conn.execute("SELECT seq FROM trail WHERE kind = 'unit.add' ORDER BY seq"):
        if seq not in undone:
            return int(seq)
    return None


def overview(conn: sqlite3.Connection) -> Overview:
    """The pre-understanding memos, each transcript's impression memos and the preliminary
    themes, as step 1 of the workbench shows them."""
    every = memos(conn)
    by_doc: dict[str, list[Memo]] = {}
    for memo in every:
        if memo.kind == "impression" and memo.ref:
            by_doc.setdefault(memo.ref.split(":", 1)[0].casefold(), []).append(memo)
    return Overview([m for m in every if m.kind == "preunderstanding"], first_unit(conn),
                    [Impression(d.id, d.participant, by_doc.get(d.id.casefold(), []))
                     for d in documents(conn)],
                    themes(conn))
