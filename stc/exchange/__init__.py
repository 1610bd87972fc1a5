"""Exchange: REFI-QDA .qdpx projects and .qdc codebooks to and from NVivo, ATLAS.ti, MAXQDA
and QualCoder, and Taguette's codebook .csv.

`export_refi(project, path)` writes a .qdpx, .qdc or .csv; `import_refi(project, path)` brings
a .qdpx, .qde, .qdc or .csv into a project in one transaction and says what it left out.
`refi_read` parses files without trusting them, `taguette` reads and writes the CSV codebook,
`names` holds the conventions that let stc's own exports come back whole.
"""

from __future__ import annotations

from stc.exchange.refi_export import ExchangeExport, export_refi
from stc.exchange.refi_import import LEFT_OUT_WHY, ExchangeImport, import_refi
from stc.exchange.refi_read import SUFFIXES

__all__ = ["LEFT_OUT_WHY", "SUFFIXES", "ExchangeExport", "ExchangeImport", "export_refi",
           "import_refi"]
