"""The request handlers: each opens the project, calls one library function, renders a page.

Handlers are plain functions, so Starlette runs them in its thread pool; each request opens its
own connection to the project (SQLite connections stay in the thread that made them) and so
always reads the project as it is now, changes from a terminal included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from stc.errors import StcError
from stc.project import Project
from stc.stages import views

from .render import render

# errors that say a name or reference in the address does not exist
NOT_FOUND = frozenset({"E202", "E203", "E305", "E401", "E506"})


@contextmanager
def opened(request: Request) -> Iterator[Project]:
    state = request.app.state
    project = Project(state.root, state.author)
    try:
        yield project
    finally:
        project.close()


def transcripts(request: Request) -> Response:
    with opened(request) as project:
        listing = views.transcript_list(project.conn)
    return render(request, "transcripts.html", transcripts=listing)


def transcript(request: Request) -> Response:
    code = request.query_params.get("code") or None
    group = request.query_params.get("group") or None
    with opened(request) as project:
        view = views.transcript(project.conn, request.path_params["doc"], code=code,
                                group=group)
        language = project.language
    return render(request, "transcript.html", view=view, code=code, group=group,
                  language=language)


def stop(request: Request) -> Response:
    request.app.state.on_quit()
    return render(request, "stopped.html")


def library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StcError)
    status = 404 if exc.code in NOT_FOUND else 400
    return render(request, "error.html", status=status, error=exc)


def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return render(request, "error.html", status=405,
                      error=StcError("E715", path=f"{request.method} {request.url.path}"))
    return render(request, "error.html", status=404, error=StcError("E715", path=request.url.path))
