"""REFI-QDA exchange: .qdpx projects and .qdc codebooks to and from NVivo, ATLAS.ti, MAXQDA and
QualCoder.

`export_refi(project, path)` writes a .qdpx or .qdc; `import_refi(project, path)` brings a .qdpx,
.qde or .qdc into a project in one transaction. `refi_read` parses files without trusting them,
`names` holds the conventions that let stc's own exports come back whole.
"""

from __future__ import annotations

from stc.exchange.refi_export import ExchangeExport, export_refi
from stc.exchange.refi_import import ExchangeImport, import_refi
from stc.exchange.refi_read import SUFFIXES

__all__ = ["SUFFIXES", "ExchangeExport", "ExchangeImport", "export_refi", "import_refi"]
