"""stc: systematic text condensation (Malterud) for qualitative interview analysis.

    import stc
    project = stc.open_project("my-study")      # or stc.init_project(...)

The command line (`stc ...`) is a thin layer over this library.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from stc.errors import StcError

if TYPE_CHECKING:
    from stc.project import Project, init_project, open_project

__all__ = ["Project", "StcError", "__version__", "init_project", "open_project"]


def __getattr__(name: str) -> Any:
    # The project module is loaded on first use, so `stc --version` and the modules that only
    # need the version stay quick to import.
    if name in ("Project", "init_project", "open_project"):
        from stc import project

        return getattr(project, name)
    raise AttributeError(f"module 'stc' has no attribute {name!r}")
