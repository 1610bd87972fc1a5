"""One jinja2 environment for every page: autoescaped, strict about undefined names."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from stc import __version__
from stc.errors import StcError

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LOCALES = Path(__file__).parent / "locales"
COLOURS = 8  # code groups take colours g1..g8 in turn (workbench.css); g0 is no group


def colour(group_number: int) -> str:
    """The CSS class of a code group's colour: by its place in the code tree."""
    return f"g{(group_number - 1) % COLOURS + 1}" if group_number else "g0"


def clock(moment: str) -> str:
    """An ISO time (UTC) as this computer's time of day: when a draft was kept."""
    return datetime.fromisoformat(moment).astimezone().strftime("%H:%M:%S")


def moment(moment: str, language: str = "en") -> str:
    """An ISO time (UTC) as this computer's date and time of day, in the language of the pages:
    when a unit was made."""
    shown = datetime.fromisoformat(moment).astimezone()
    return shown.strftime("%Y-%m-%d") + translate(language, " at %(time)s",
                                                  time=shown.strftime("%H:%M"))


# -- the interface's language -----------------------------------------------------------------
#
# Every string of the pages is written in English in the templates (`{{ _("Step 1") }}`) and
# in the handlers (`say(request, TEXT)`); locales/LANG.json maps each to its translation. The
# project's language picks the catalogue (`no` is bokmål, as for the reports); a language
# without one gets English.

INTERFACES = ("en", "nb")


def interface_language(language: str | None) -> str:
    """The language of the pages for a project written in `language`."""
    tag = "nb" if language in ("no", "nb") else (language or "en")
    return tag if tag in INTERFACES else "en"


@cache
def catalogue(language: str) -> dict[str, str]:
    """English string → its translation (empty for English)."""
    path = LOCALES / f"{language}.json"
    found: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return found


def translate(language: str, text: str, **values: Any) -> str:
    """`text` in `language`, its `%(name)s` filled from `values` (as jinja's newstyle gettext)."""
    said = catalogue(language).get(text) or text
    return said % values if values else said


def pages_language(request: Request) -> str:
    """The language of the pages (`en` or `nb`): also that of what the changes shown did."""
    return str(request.app.state.interface)


def say(request: Request, text: str, **values: Any) -> str:
    """A message of a handler in the language of the pages."""
    return translate(request.app.state.interface, text, **values)


# A refusal is said in the language of the pages too: stc/locales/errors.LANG.json maps each
# code of the catalogue in stc/errors.py to its message in LANG, with the same {fields}. The
# messages belong to the library beside its English ones; only the pages read them (the CLI
# stays English).

@cache
def error_catalogue(language: str) -> dict[str, str]:
    """Error code → its message in `language` (empty for English)."""
    source = resources.files("stc").joinpath("locales", f"errors.{language}.json")
    found: dict[str, str] = (json.loads(source.read_text(encoding="utf-8"))
                             if source.is_file() else {})
    return found


def refusal_in(language: str, error: StcError) -> str:
    """`error`'s message in `language`, filled from the fields it was raised with; English
    where the code has no translation."""
    template = error_catalogue(language).get(error.code)
    return template.format(**error.fields) if template else error.message


def refusal(request: Request, error: StcError) -> str:
    """`error`'s message in the language of the pages."""
    return refusal_in(request.app.state.interface, error)


@cache
def environment(language: str = "en") -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.filters["colour"] = colour
    env.filters["clock"] = clock
    env.filters["moment"] = lambda at: moment(at, language)
    env.filters["refusal"] = lambda error: refusal_in(language, error)
    env.globals["version"] = __version__
    env.globals["interface"] = language

    def gettext(text: str) -> str:
        return catalogue(language).get(text) or text

    def ngettext(one: str, many: str, n: int) -> str:
        return gettext(one if n == 1 else many)

    def pgettext(context: str, text: str) -> str:
        """`text` where English says in one word what another language says in two: "Set
        aside" is a button and a column (catalogue key `column|Set aside`)."""
        return catalogue(language).get(f"{context}|{text}") or text

    env.install_gettext_callables(gettext, ngettext, newstyle=True,  # type: ignore[attr-defined]
                                  pgettext=pgettext)
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with what every page shows: the project's title and the session's CSRF token,
    in the language of the pages."""
    state = request.app.state
    html = environment(state.interface).get_template(template).render(
        title=state.title, csrf=request.state.csrf, **context)
    return HTMLResponse(html, status_code=status)


def error_html(error: StcError, title: str, language: str = "en") -> str:
    """An error page that needs no session: no stylesheet, no script, nothing to fetch."""
    return environment(language).get_template("refused.html").render(error=error, title=title)


def error_page(error: StcError, status: int, title: str = "stc workbench",
               language: str = "en") -> HTMLResponse:
    return HTMLResponse(error_html(error, title, language), status_code=status)
