"""Fixed phrases per language (stc/locales/*.json): report headings, prevalence words, the
pronouns a first-person check looks for.

The project language chooses; a language without its own file (de, fi, ...) gets English.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from importlib import resources
from typing import Any

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
