"""One jinja2 environment for every page: autoescaped, strict about undefined names."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from stc import __version__
from stc.errors import StcError

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
COLOURS = 8  # code groups take colours g1..g8 in turn (workbench.css); g0 is no group


def colour(group_number: int) -> str:
    """The CSS class of a code group's colour: by its place in the code tree."""
    return f"g{(group_number - 1) % COLOURS + 1}" if group_number else "g0"


def clock(moment: str) -> str:
    """An ISO time (UTC) as this computer's time of day: when a draft was kept."""
    return datetime.fromisoformat(moment).astimezone().strftime("%H:%M:%S")


def moment(moment: str) -> str:
    """An ISO time (UTC) as this computer's date and time of day: when a unit was made."""
    return datetime.fromisoformat(moment).astimezone().strftime("%Y-%m-%d at %H:%M")


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["colour"] = colour
    env.filters["clock"] = clock
    env.filters["moment"] = moment
    env.globals["version"] = __version__
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with what every page shows: the project's title and the session's CSRF token."""
    state = request.app.state
    html = environment().get_template(template).render(
        title=state.title, csrf=request.state.csrf, **context)
    return HTMLResponse(html, status_code=status)


def error_html(error: StcError, title: str) -> str:
    """An error page that needs no session: no stylesheet, no script, nothing to fetch."""
    return environment().get_template("refused.html").render(error=error, title=title)


def error_page(error: StcError, status: int, title: str = "stc workbench") -> HTMLResponse:
    return HTMLResponse(error_html(error, title), status_code=status)
