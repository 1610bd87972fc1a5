"""The reports in the workbench: the results chapter as HTML beside the editors (rendered anew
after each change), the audit report opened from here, and the buttons that write the report
files (`stc report`) and say where they went.

A report is a self-contained page with its own <style> and no script. It is served as it is,
with its own Content-Security-Policy (`security.REPORT_POLICY`: nothing loaded, no script, shown
in a frame of the workbench's own pages only); the workbench's pages frame it `sandbox`ed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from stc.errors import StcError
from stc.project import Project
from stc.reports import render as reports

from . import trail
from .actions import Form
from .pages import LIVE, PAGES, Notice, Params, address, live, number, opened, show
from .render import say
from .security import REPORT_HEADERS

WRITABLE = ("results", "all")


def report_page(request: Request, project: Project, params: Params,
                notice: Notice | None = None, status: int = 200,
                since: int | None = None, written: list[str] | None = None) -> Response:
    """The results chapter, the buttons that write the reports, the way to the audit."""
    with trail.state(project, params) as (_, as_of):
        folder = project.reports_dir
        return show(request, project, "report.html", "report",
                    address("/report", as_of=str(as_of) if as_of else None), notice, status,
                    as_of=as_of, now_url="/report", folder=str(folder),
                    written=written or [])


def view(request: Request) -> Response:
    """A report as one self-contained page (results, audit or method), rendered now, or as of
    change `as_of`."""
    which = request.path_params["which"]
    with opened(request) as project:
        shown = reports.page(project, which, number(request.query_params.get(trail.AS_OF),
                                                    trail.AS_OF))
    return HTMLResponse(shown.html, headers=REPORT_HEADERS)


def write(request: Request, form: Form) -> Response:
    """Write the reports (`stc report results` or `stc report all`) into reports/: files, no
    change to the project; the page names each file written."""
    which = form.get("which", "")
    if which not in WRITABLE:
        raise StcError("E517", name=which, reports=", ".join(WRITABLE))
    with opened(request) as project:
        made = [str(p) for p in reports.render(project, which)]
        folder = str(project.reports_dir)
        said = (say(request, "%(n)s report file written into %(folder)s", n=1, folder=folder)
                if len(made) == 1 else
                say(request, "%(n)s report files written into %(folder)s", n=len(made),
                    folder=folder))
        return report_page(request, project, form, Notice(said), written=made)


PAGES["report"] = report_page
LIVE["report"] = "#messages,#written,#preview-full"

ROUTES = [Route("/report", live(report_page), name="report"),
          Route("/report/view/{which}", view, name="report-view")]
WRITES = {"/report/write": write}
