"""The project's settings: everything that changes what a report says is part of the state.

`stc.toml` is the file a user reads and edits; the values in effect live in the state (the
`project` table), put there by recorded `project.set` changes, so the same state always gives the
same reports and `--as-of N` uses the settings of that state. The two never disagree for long:

- an edit of `stc.toml` is noticed when the project is next opened and recorded as one command
  ("stc.toml edited"), a change per setting;
- `stc config set` records the change and writes it into the file; after any change that moves a
  setting (an undo of `config set`, say), the file is written again from the state.

Two settings stay in the file alone, because they say how this computer works, not what the
analysis is: `[user] name` (who is typing) and `pipeline` (an installed spaCy pipeline).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from stc.errors import StcError
from stc.phrases import ATTRIBUTIONS

if TYPE_CHECKING:
    import sqlite3

    from stc.project import Project
    from stc.trail import Record

EDITED = "stc.toml edited"
LOCAL_KEYS = ("pipeline", "user.name")  # kept in the file only; see the module text
_LOCAL_TABLES = ("user",)


class Setting(NamedTuple):
    """One recorded setting. `parse` turns what the file or the command line gives into the
    canonical text the state holds (raising ValueError with what is expected); `typed` turns
    that text back into the value a report uses and the file shows."""

    key: str
    parse: Callable[[Any], str]
    typed: Callable[[str], Any]
    default: str | None  # None: derived (from the language), or no value
    about: str
    required: bool = False  # missing from the file means "as before", not "back to default"


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a text")
    return " ".join(value.split())


def _free_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a text")
    return value.strip()


def _language(value: Any) -> str:
    from stc.project import normalise_language

    if not isinstance(value, str):
        raise ValueError("a language code such as nb, nn, sv, da or en")
    try:
        return normalise_language(value)
    except StcError:
        raise ValueError("a language code such as nb, nn, sv, da or en") from None


_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?$")


def _language_tag(value: Any) -> str:
    """A language code, optionally with a region for spelling (`en-US`)."""
    expected = "a language code such as nb, nn, sv, da, en or en-US"
    match = _TAG.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(expected)
    base = _language(match.group(1))
    return f"{base}-{match.group(2).upper()}" if match.group(2) else base


def _count(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("a whole number, 0 or more")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("a whole number, 0 or more") from None
    if number < 0:
        raise ValueError("a whole number, 0 or more")
    return str(number)


def _flag(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    word = str(value).strip().lower()
    if word in ("true", "yes", "on", "1"):
        return "true"
    if word in ("false", "no", "off", "0"):
        return "false"
    raise ValueError("true or false")


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        word = str(value).strip()
        for choice in choices:
            if word.lower() == choice.lower():
                return choice
        raise ValueError(" or ".join(repr(c) for c in choices))

    return parse


def _attribute(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("the name of a participant attribute, or empty")
    return value.strip()


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("title", _text, str, None, "the study's title", required=True),
    Setting("language", _language, str, None,
            "the language of the transcripts (segmentation, lemmas, the reports' default)",
            required=True),
    Setting("question", _free_text, str, None, "the research question"),
    Setting("report.language", _language_tag, str, None,
            "the language the reports are written in (default: the transcripts' language);"
            " a chapter in another language prints the quotations' translations"),
    Setting("report.chapter", _count, int, "3",
            "the results chapter's number: headings 3, 3.1, 3.1.1 (0: no numbers)"),
    Setting("report.inline_words", _count, int, "0",
            "quotations shorter than this many words run inline (0: none)"),
    Setting("report.quote_attribution", _choice(*ATTRIBUTIONS), str, "none",
            "after each quotation: nothing, the participant's pseudonym, or a focus group's"
            " forms (one-participant, group: the time point, one-participant-group); unset, a"
            " focus-group project says one-participant"),
    Setting("report.cut_marker", _text, str, None,
            "how a cut in a quotation is printed (default: (…) in nb, nn, da, sv; […] in en)"),
    Setting("report.paper", _choice("A4", "Letter"), str, "A4", "the Word chapter's paper size"),
    Setting("report.stamp_footer", _flag, lambda v: v == "true", "false",
            "print the state shown (change, trail hash, version) in the Word chapter's footer"),
    Setting("report.author", _text, str, None,
            "the author in the documents' properties (default: who made the project)"),
    Setting("report.by", _attribute, str, "",
            "the participant or transcript attribute the results chapter shows prevalence by"
            " (empty: none)"),
    Setting("report.min_cell", _count, int, "3",
            "fewer participants than this with a value of a participant attribute print as"
            " \"< 3\" in the results chapter (0: all shown)"),
    Setting("check.require_reasons", _flag, lambda v: v == "true", "true",
            "stc check asks a reason for every rename, merge, drop, set-aside and erasure"),
)}


def resolve_key(key: str) -> str:
    """The full key of a setting: `cut_marker` is `report.cut_marker`. Refuses (E540) a key
    stc does not know."""
    wanted = key.strip().lower()
    if wanted in SETTINGS:
        return wanted
    if f"report.{wanted}" in SETTINGS:
        return f"report.{wanted}"
    raise StcError("E540", key=key, known=", ".join(SETTINGS))


def _short(key: str) -> str:
    return key.removeprefix("report.")


def parse(key: str, value: Any) -> str:
    """The canonical text of a value for a setting; refuses (E541) a value it cannot take."""
    setting = SETTINGS[key]
    try:
        return setting.parse(value)
    except ValueError as exc:
        raise StcError("E541", key=_short(key), value=value, expected=str(exc)) from None


# -- the state -------------------------------------------------------------------------------

def stored(conn: sqlite3.Connection) -> dict[str, str]:
    """The settings the state holds (those recorded), by full key."""
    rows = conn.execute("SELECT key, value FROM project").fetchall()
    return {str(k): str(v) for k, v in rows if k in SETTINGS}


class Values(Mapping[str, Any]):
    """The settings in effect in a state, typed, with defaults filled in."""

    def __init__(self, held: Mapping[str, str], first_author: str | None = None) -> None:
        self.held = dict(held)
        self._first_author = first_author

    def __getitem__(self, key: str) -> Any:
        key = resolve_key(key)
        text = self.held.get(key, SETTINGS[key].default)
        if text is None:
            return self._derived(key)
        return SETTINGS[key].typed(text)

    def __iter__(self) -> Any:
        return iter(SETTINGS)

    def __len__(self) -> int:
        return len(SETTINGS)

    def _derived(self, key: str) -> Any:
        if key == "language":
            return "en"
        if key == "title":
            return ""
        if key == "report.language":
            return self["language"]
        if key == "report.cut_marker":
            from stc.phrases import phrases

            return str(phrases(self.report_language)["cut_marker"])
        if key == "report.author":
            return self._first_author or ""
        return None

    @property
    def report_language(self) -> str:
        """The report language without a region: the one phrases are chosen by."""
        return str(self["report.language"]).split("-")[0]

    def is_default(self, key: str) -> bool:
        return key not in self.held


def values(conn: sqlite3.Connection) -> Values:
    first = conn.execute("SELECT author FROM trail ORDER BY seq LIMIT 1").fetchone()
    return Values(stored(conn), str(first[0]) if first else None)


# -- the file --------------------------------------------------------------------------------

def from_file(data: Mapping[str, Any], path: Path) -> dict[str, str]:
    """The recorded settings a parsed stc.toml gives, canonical, by full key. Refuses (E542) a
    key stc does not know and (E543) a value a setting cannot take."""
    found: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            if name in _LOCAL_TABLES:
                continue
            for inner, inner_value in value.items():
                _take(found, f"{name}.{inner}", inner_value, path)
        elif name not in LOCAL_KEYS:
            _take(found, name, value, path)
    return found


def _take(found: dict[str, str], key: str, value: Any, path: Path) -> None:
    if key not in SETTINGS:
        raise StcError("E542", path=str(path), key=key,
                       known=", ".join(k for k in SETTINGS))
    try:
        found[key] = SETTINGS[key].parse(value)
    except ValueError as exc:
        raise StcError("E543", path=str(path), key=key, value=value,
                       expected=str(exc)) from None


def differences(in_file: Mapping[str, str], held: Mapping[str, str]
                ) -> list[tuple[str, str | None]]:
    """What the file says differently from the state: (key, value), None going back to the
    default. A required setting missing from the file keeps its value."""
    out: list[tuple[str, str | None]] = []
    for key, setting in SETTINGS.items():
        if key not in in_file and setting.required:
            continue
        mine = in_file.get(key, setting.default)
        theirs = held.get(key, setting.default)
        if mine != theirs:
            out.append((key, in_file.get(key)))
    return out


def notice(project: Project) -> list[Record]:
    """Record what an edit of stc.toml changed since the state last matched it: one command,
    a `project.set` per setting."""
    in_file = from_file(project.settings, project.settings_path)
    changed = differences(in_file, stored(project.conn))
    if not changed:
        return []
    with project.command(EDITED), project.batch(EDITED) as b:
        return [b.record("project.set", {"key": key, "value": value}) for key, value in changed]


def set_value(project: Project, key: str, value: Any | None, why: str | None = None
              ) -> Record | None:
    """Record one setting (None: back to its default) and write it into stc.toml. Returns
    None when the setting already has that value."""
    key = resolve_key(key)
    text = None if value is None else parse(key, value)
    if text is None and SETTINGS[key].required:
        raise StcError("E544", key=key)
    with project.batch(why) as b:
        held = stored(b.conn)
        if held.get(key) == text or (text is None and key not in held):
            return None
        return b.record("project.set", {"key": key, "value": text})


def file_text(path: Path) -> str:
    """The text of stc.toml: UTF-8, with or without the byte-order mark Notepad on Windows
    writes; refused (E144) when it cannot be read as such."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StcError("E144", path=str(path),
                       detail=f"it is not UTF-8 text: byte {exc.start + 1}") from None
    except OSError as exc:
        raise StcError("E144", path=str(path), detail=exc.strerror or str(exc)) from None


def write_file(path: Path, held: Mapping[str, str]) -> dict[str, Any]:
    """Write the state's settings into stc.toml where the file says otherwise, keeping the
    user's comments and order (tomlkit); returns the file's new content, parsed."""
    import tomllib

    import tomlkit

    from stc.project import write_atomically

    source = file_text(path)
    in_file = from_file(tomllib.loads(source), path)
    document = tomlkit.parse(source)
    for key, _ in differences(in_file, held):
        value = held.get(key, SETTINGS[key].default)  # a default stays a line
        table_name, _, name = key.rpartition(".")
        table: Any = document
        if table_name:
            if table_name not in document:
                document.add(table_name, tomlkit.table())
            table = document[table_name]
        if value is None:
            if name in table:
                del table[name]
        else:
            table[name] = SETTINGS[key].typed(value)
    text = tomlkit.dumps(document)
    write_atomically(path, text.encode("utf-8"))
    return tomllib.loads(text)


def shown(project: Project) -> list[dict[str, Any]]:
    """Every setting with its value in effect, for `stc config`."""
    held = values(project.conn)
    rows = [{"key": key, "value": held[key], "default": held.is_default(key),
             "about": setting.about} for key, setting in SETTINGS.items()]
    rows += [{"key": "pipeline", "value": project.settings.get("pipeline"), "default": True,
              "about": "an installed spaCy pipeline (this computer; not recorded)"},
             {"key": "user.name", "value": project.settings.get("user", {}).get("name"),
              "default": True, "about": "who makes the changes (this computer; not recorded)"}]
    return rows
