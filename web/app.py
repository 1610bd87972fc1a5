"""The workbench application: its routes, the guard in front, its state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from stc.errors import StcError
from stc.project import open_project

from . import actions, pages, recontext, report, step1, step4, supervision, trail
from .actions import write
from .render import STATIC, interface_language
from .security import LOOPBACK_NAMES, Guard


def create_app(project_path: Path | str, token: str, port: int | None = None,
               author: str | None = None, hosts: frozenset[str] | None = LOOPBACK_NAMES,
               on_quit: Callable[[], None] | None = None,
               interface: str | None = None) -> Starlette:
    """The workbench over the project at `project_path`. `token` is the secret of the printed
    link; `port` the port it listens on (None: any, for tests); `hosts` the names a request
    may address it by (None: any); `on_quit` stops the server when a page asks it to;
    `interface` the language of the pages (None: the project's, English where the workbench
    does not speak it)."""
    project = open_project(project_path, author)  # the project must be there, as for a command
    try:
        root, title, author = project.root, project.title, project.author
        language = project.language
    finally:
        project.close()
    app = Starlette(
        routes=[
            Route("/", pages.transcripts, name="transcripts"),
            Route("/transcripts/{doc}", pages.transcript, name="transcript"),
            Route("/transcripts/{doc}/selection", pages.selection, name="selection"),
            Route("/transcripts/{doc}/unit", pages.unit_panel, name="unit"),
            Route("/board", pages.board_view, name="board"),
            Route("/codes", pages.codes, name="codes"),
            *step1.ROUTES, *step4.ROUTES, *recontext.ROUTES, *supervision.ROUTES,
            *report.ROUTES, *trail.ROUTES,
            *[Route(path, write(handler), methods=["POST"]) for path, handler in WRITES.items()],
            Route("/quit", pages.stop, methods=["POST"], name="quit"),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(Guard, token=token, port=port, hosts=hosts)],
        exception_handlers={StcError: pages.library_error, 404: pages.not_found,
                            405: pages.not_found},
    )
    app.state.root = root
    app.state.title = title
    app.state.author = author
    app.state.interface = interface_language(interface or language)
    app.state.on_quit = on_quit or (lambda: None)
    app.state.tabs = actions.Tabs()
    return app


WRITES = {
    "/board/sort": actions.sort,
    "/board/aside": actions.set_aside,
    "/board/unsort": actions.unsort,
    "/board/subgroup/add": actions.subgroup_add,
    "/board/subgroup/rename": actions.subgroup_rename,
    "/board/subgroup/merge": actions.subgroup_merge,
    "/board/subgroup/order": actions.subgroup_order,
    "/board/condensate": actions.condensate,
    "/board/condensate/draft": actions.condensate_draft,
    "/board/condensate/discard": actions.condensate_discard,
    "/board/quotation": actions.quotation,
    "/board/quotation/draft": actions.quotation_draft,
    "/board/quotation/clear": actions.quotation_clear,
    "/units/code": actions.code,
    "/units/uncode": actions.uncode,
    "/units/note": actions.note,
    "/units/move": actions.move,
    "/units/delete": actions.delete,
    "/undo": actions.undo,
    "/redo": actions.redo,
    "/codes/rename": actions.code_rename,
    "/codes/merge": actions.code_merge,
    "/codes/move": actions.code_move,
    **step1.WRITES, **step4.WRITES, **recontext.WRITES, **supervision.WRITES,
    **report.WRITES,
}
