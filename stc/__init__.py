"""stc: systematic text condensation (Malterud) for qualitative interview analysis.

    import stc
    project = stc.open_project("my-study")      # or stc.init_project(...)

The command line (`stc ...`) is a thin layer over this library.
"""

from __future__ import annotations

__version__ = "0.1.0"

from stc.errors import StcError
from stc.project import Project, init_project, open_project

__all__ = ["Project", "StcError", "__version__", "init_project", "open_project"]
