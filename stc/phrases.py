"""Fixed phrases per language (stc/locales/*.json): report headings, prevalence words, the
pronouns a first-person check looks for, what each kind of change did.

The project language chooses; a language without its own file (de, fi, ...) gets English.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

LANGUAGES = ("nb", "nn", "sv", "da", "en")


def project_language(conn: sqlite3.Connection) -> str:
    """The language the project was made with, as its state holds it."""
    row = conn.execute("SELECT value FROM project WHERE key = 'language'").fetchone()
    return str(row[0]) if row else "en"


@cache
def phrases(language: str) -> dict[str, Any]:
    lang = language if language in LANGUAGES else "en"
    source = resources.files("stc").joinpath("locales", f"{lang}.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def language_tag(language: str) -> str:
    """The tag Word spell-checks by: `nb` → `nb-NO`; a tag with a region stays as it is."""
    if "-" in language:
        return language
    if language in LANGUAGES:
        return str(phrases(language)["language_tag"])
    return _TAGS.get(language, language)


_TAGS = {"de": "de-DE", "fi": "fi-FI", "is": "is-IS", "fr": "fr-FR", "nl": "nl-NL",
         "es": "es-ES", "it": "it-IT", "pt": "pt-PT", "pl": "pl-PL"}


def count_words(language: str, noun: str, n: int) -> str:
    """'én kategori', 'to kategorier', 'one participant', '14 meaning units': a count with
    its noun, in the grammar of the language (stc/locales: counts)."""
    one, many = phrases(language)["counts"][noun]
    return str(one) if n == 1 else str(many).format(n=number_word(language, n))


def number_word(language: str, n: int) -> str:
    words: list[str] = phrases(language)["numbers"]
    return words[n] if 0 <= n < len(words) else str(n)


def join_words(language: str, items: list[str]) -> str:
    """'a, b and c' in the language."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {phrases(language)['and']} " + items[-1]


def quoted(language: str, text: str) -> str:
    p = phrases(language)
    return f"{p['quote_open']}{text}{p['quote_close']}"


# How a quotation says who said it (`quote_attribution` in the report settings): nothing, the
# participant's pseudonym, or the forms a focus group's report uses: "one participant", the
# group and its time point, or both.
ATTRIBUTIONS = ("none", "participant", "one-participant", "group", "one-participant-group")


def who_said_it(language: str, form: str, names: list[str], time: str | None = None
                ) -> str | None:
    """The attribution of a quotation in the language: "Kari", "en deltaker",
    "fokusgruppe, T2", "en deltaker, fokusgruppe, T2"; None for the form "none" or when no
    participant speaks in it."""
    if form not in ATTRIBUTIONS:
        from stc.errors import StcError

        raise StcError("E817", form=form, forms=", ".join(ATTRIBUTIONS))
    if form == "none" or not names:
        return None
    if form == "participant":
        return join_words(language, names)
    p = phrases(language)
    group = str(p["attribution_group"]) + (f", {time}" if time else "")
    if form == "group":
        return group
    one = (str(p["attribution_one"]) if len(names) == 1 else
           str(p["attribution_some"]).format(n=number_word(language, len(names))))
    return one if form == "one-participant" else f"{one}, {group}"


def meetings(language: str, n: int) -> str:
    """'tre gruppemøter', 'one group meeting'."""
    p = phrases(language)
    return str(p["meetings_one"]) if n == 1 else str(p["meetings_many"]).format(
        n=number_word(language, n))


# -- what a change did, in words ---------------------------------------------------------------
#
# Each change kind says what it did through a template of the catalogue's `change_summaries`
# (under the kind's name: one template, or a dict of its forms) filled with fields its payload
# gives; English included, so a kind's wording lives once per language. A field is said as it
# is (a name, a reference like I1:25-28, a number) unless it is a `Word` of the method's
# vocabulary (`change_words`: "code", "group", "nugget", ...), a `Said` (a part said in the same
# language) or a list of those (joined with commas).


class Word(str):
    """A word of the method's vocabulary, said in the language of the catalogue
    (`change_words`); a word a catalogue does not know stays as it is."""


class Name(str):
    """A name a change gives (a code's, a group's), quoted as the language quotes names
    (`name_in`)."""


class Said(NamedTuple):
    """What a change did, to be said in a language: the template `form` of change kind `kind`
    in the catalogue's `change_summaries` ("" for a kind with one form) and the fields that
    fill it."""

    kind: str
    form: str
    fields: dict[str, Any]


def said(kind: str, form: str = "", /, **fields: Any) -> Said:
    return Said(kind, form, fields)


def say(language: str, what: Said) -> str:
    """`what` in `language`: its template filled with its fields, each said in the language."""
    template = _template(language, what.kind, what.form)
    if template is None:  # a kind this version of stc does not know
        return what.kind
    return template.format_map({k: _said_field(language, v) for k, v in what.fields.items()})


def name_in(language: str, name: str) -> str:
    """A name as the changes say it: in English as Python quotes it ('x', as `stc log` always
    has), in another language in its quotation marks («x»), as its change templates do."""
    if language == "en":
        return repr(name)
    p = phrases(language)
    return f"{p['quote_open']}{name}{p['quote_close']}"


def word(language: str, key: str) -> str:
    """A word of the method's vocabulary (`change_words`: "code", "group", ...) in `language`;
    one the catalogue does not know stays as it is."""
    return str(phrases(language)["change_words"].get(key, key))


@cache  # asked once per change: a long trail's audit says thousands
def _template(language: str, kind: str, form: str) -> str | None:
    """The template of `kind`'s `form` in `language`, or else in English."""
    for catalogue in (phrases(language), phrases("en")):
        entry = catalogue["change_summaries"].get(kind)
        if isinstance(entry, dict):
            entry = entry.get(form)
        if entry is not None:
            return str(entry)
    return None


def _said_field(language: str, value: Any) -> Any:
    if type(value) in (str, int):  # most fields: a name, a reference, a number
        return value
    if isinstance(value, Said):
        return say(language, value)
    if isinstance(value, Word):
        return word(language, value)
    if isinstance(value, Name):
        return name_in(language, value)
    if isinstance(value, list):
        return ", ".join(str(_said_field(language, v)) for v in value)
    return value
