"""The workbench: the project in a local browser window (`stc serve`), installed as `stc.web`.

A thin layer, like the command line: each handler parses the request, calls one library
function, and renders the answer with one jinja2 environment. Pages are rendered on the server;
htmx swaps parts of them. `security.Guard` stands in front of every request.

    app.py       create_app(project_path, token, ...): the Starlette application
    security.py  loopback Host, token exchanged for a session cookie, Origin and CSRF on writes,
                 the response headers (Content-Security-Policy and friends)
    pages.py     the request handlers
    render.py    the jinja2 environment, pages and error pages
    server.py    serve(): the socket, the printed link, the browser, Ctrl-C

Modules here import each other relatively, so mypy can check the folder as it stands.
"""
