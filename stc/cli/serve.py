"""stc serve: the workbench in the browser."""

from __future__ import annotations

import click

from stc.cli.common import close_project_from, open_project_from, project_options


@click.command()
@project_options
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default 8765, or a free one when that is taken;"
                   " 0 takes any free port).")
@click.option("--no-browser", is_flag=True, help="Print the link only; open no browser.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this computer (127.0.0.1, localhost, ::1)"
                   " unless --allow-remote.")
@click.option("--allow-remote", is_flag=True,
              help="Let --host be an address other computers can reach (with a warning).")
@click.option("--interface", type=click.Choice(["en", "nb"]), default=None,
              help="Language of the pages: en (English) or nb (Norwegian bokmål). Default: the"
                   " project's language where the workbench speaks it, English otherwise.")
def serve(port: int | None, no_browser: bool, host: str, allow_remote: bool,
          interface: str | None) -> None:
    """Open the workbench: read the transcripts and their meaning units in the browser.

    Prints one line, the link to open (it holds a secret token; the browser exchanges it for a
    session), opens it in the default browser, and runs until Ctrl-C. The workbench answers
    only on this computer.

    \b
    Example:
      stc serve
      stc serve --port 8800 --no-browser
      stc serve --interface en
    """
    ctx = click.get_current_context()
    project = open_project_from(ctx)
    root, author = project.root, project.author
    close_project_from(ctx)  # each request opens the project: none is held between them
    from stc.web.server import serve as run  # the server and its libraries load only here

    run(root, author=author, host=host, port=port, allow_remote=allow_remote,
        open_browser=not no_browser, interface=interface, echo=click.echo,
        warn=lambda line: click.echo(line, err=True))


COMMANDS = [serve]
