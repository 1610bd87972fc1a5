"""The coding matrix as a file: an .xlsx with the sheets `units` and `subgroups`, or two .csv
files (`FILE` and `FILE-subgroups.csv`), laid out as CONTRACT.md describes. This module reads
and writes the cells; `stc.stages.matrix` fills them from a project and applies them to one.

Sheet `units` ends with columns that only describe (speaker, participant, aside, context) and
`as_of`, the change number the row shows, which lets a late import see what changed since.

Cells a spreadsheet would run as a formula are written with a leading `'` and read back without
it, so a transcript line starting with "-" or "=" survives the round trip as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

from stc import naming
from stc.errors import StcError
from stc.outputs import all_or_none
from stc.texts import writable

UNIT_COLUMNS = ("unit", "document", "segments", "quote", "codes", "group", "subgroup",
                "nugget", "translation", "note", "speaker", "participant", "aside", "context",
                "as_of")
# columns that only describe a unit: written by the export, never read back by the import
DESCRIPTIVE = ("speaker", "participant", "aside", "context")
SUBGROUP_COLUMNS = ("group", "subgroup", "heading", "condensate", "description")
YES = {"yes", "y", "ja", "j", "x", "true", "1"}
NO = {"", "no", "n", "nei", "false", "0"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 200_000
# what stc reads of a spreadsheet's sheet before refusing it: a few kilobytes of XML can place
# one cell at XFD1048576, and openpyxl then hands over a million empty rows, each as wide as
# the widest; no table stc reads has more than a few dozen columns or long runs of empty rows
MAX_COLUMNS = 500
MAX_EMPTY_RUN = 10_000


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading `'` (and so does one that
    already starts with `'` before such a character, so reading back is exact); what no
    spreadsheet can hold (control characters, in texts stored before stc cleaned them where
    they entered) is replaced visibly (`texts.writable`)."""
    value = writable(value)
    if value.startswith(FORMULA_START) or (value[:1] == "'" and value[1:2] in (*FORMULA_START,
                                                                               "'")):
        return "'" + value
    return value


def restore(value: str) -> str:
    if value[:1] == "'" and value[1:2] in (*FORMULA_START, "'"):
        return value[1:]
    return value


def subgroups_csv(path: Path) -> Path:
    return path.with_name(f"{path.stem}-subgroups{path.suffix}")


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise StcError("E416", path=str(path))
    return suffix


# -- writing ------------------------------------------------------------------------------------

def write_matrix(path: Path, units: list[list[str]], subs: list[list[str]],
                 extra: tuple[str, ...] = ()) -> None:
    """Write the rows of both sheets (cells that look like formulas neutralised); `extra`
    names columns after the units sheet's own, which only describe (import ignores them)."""
    units = [[neutralise(c) for c in row] for row in units]
    subs = [[neutralise(c) for c in row] for row in subs]
    with all_or_none() as outputs:  # a .csv export is two files: both or neither
        if check_suffix(path) == ".xlsx":
            _write_xlsx(outputs.temporary(path), units, subs, (*UNIT_COLUMNS, *extra))
        else:
            outputs.write(path, _csv_bytes((*UNIT_COLUMNS, *extra), units))
            outputs.write(subgroups_csv(path), _csv_bytes(SUBGROUP_COLUMNS, subs))


def _write_xlsx(path: Path, units: list[list[str]], subs: list[list[str]],
                unit_columns: tuple[str, ...] = UNIT_COLUMNS) -> None:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for index, (title, columns, rows) in enumerate(
            (("units", unit_columns, units), ("subgroups", SUBGROUP_COLUMNS, subs))):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for column, width in zip("ABCDEFGHIJKLMNO",
                                 (7, 10, 10, 80, 30, 24, 24, 8, 60, 40, 16, 16, 30, 40, 8),
                                 strict=False):
            sheet.column_dimensions[column].width = width
    book.save(path)


def write_table(path: Path, columns: Iterable[str], rows: list[list[str]]) -> None:
    """One table as a .csv file (UTF-8 with the BOM Excel needs; formula-like cells
    neutralised), written whole or not at all."""
    from stc.outputs import write_atomically

    write_atomically(path, _csv_bytes(columns, [[neutralise(c) for c in row] for row in rows]))


def _csv_bytes(columns: Iterable[str], rows: list[list[str]]) -> bytes:
    import io

    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(list(columns))
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


# -- reading -----------------------------------------------------------------------------------

Row = tuple[int, dict[str, str]]  # the row's number in the sheet, its cells by column


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):  # a spreadsheet's date cell: the date as ISO writes it
        value = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    return restore(str(value).strip())


def check_header(path: Path, header: Iterable[str]) -> None:
    """Refuse (E146) a header naming a column twice (as people read names): which of the two
    holds the values would be a guess."""
    seen: dict[str, int] = {}
    for name in header:
        if name.strip():
            seen[naming.key(name)] = seen.get(naming.key(name), 0) + 1
    twice = next((name for name in header if name.strip() and seen[naming.key(name)] > 1), None)
    if twice is not None:
        raise StcError("E146", path=str(path), column=twice.strip(),
                       count=seen[naming.key(twice)])


def _rows(path: Path, table: Iterator[tuple[Any, ...]], wanted: tuple[str, ...],
          required: tuple[str, ...]) -> list[Row]:
    header = next(table, None)
    if header is None:
        raise StcError("E147", path=str(path),
                       hint=f"its first row names the columns ({', '.join(wanted)})")
    names = [_cell(h).lower() for h in header]
    check_header(path, names)
    missing = [c for c in required if c not in names]
    if missing:
        raise StcError("E417", path=str(path),
                       detail=f"the header lacks the column{'s' if len(missing) > 1 else ''}"
                              f" {', '.join(missing)};"
                              f" the columns are {', '.join(wanted)}")
    index = {name: i for i, name in enumerate(names) if name in wanted}
    out: list[Row] = []
    for number, values in enumerate(table, start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for name, i in index.items()}
        if any(cells.values()):
            out.append((number, cells))
        if len(out) > MAX_ROWS:
            raise StcError("E417", path=str(path), detail=f"more than {MAX_ROWS} rows")
    return out


def read_matrix(path: Path) -> tuple[list[Row], list[Row] | None]:
    """The rows of the units sheet and of the subgroups sheet (None when absent)."""
    suffix = check_suffix(path)
    if not path.is_file():
        raise StcError("E101", path=str(path))
    if suffix == ".xlsx":
        return _read_xlsx(path)
    units = _read_csv(path, UNIT_COLUMNS, ("document", "codes"))
    other = subgroups_csv(path)
    subs = _read_csv(other, SUBGROUP_COLUMNS, ("group",)) if other.is_file() else None
    return units, subs


def _read_csv(path: Path, wanted: tuple[str, ...], required: tuple[str, ...]) -> list[Row]:
    return _rows(path, iter(_csv_table(path)), wanted, required)


def _delimiter(header: str) -> str:
    """Spreadsheets in Nordic locales save CSV with `;` between cells; some use tabs."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_columns(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A table whose columns the file names (a .csv, or the first sheet of an .xlsx): its
    header as written, and each non-empty row (numbered as in the sheet) with one cell per
    column."""
    if not path.is_file():
        raise StcError("E101", path=str(path))
    if path.suffix.lower() == ".xlsx":
        book = _workbook(path)
        try:
            table = list(_sheet_rows(path, book, _first_sheet(path, book)))
        finally:
            book.close()
    else:
        table = _csv_table(path)
    if not table:
        return [], []
    header = [_cell(h) for h in table[0]]
    while header and not header[-1]:
        header.pop()
    check_header(path, header)
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = [_cell(values[i]) if i < len(values) else "" for i in range(len(header))]
        if any(cells):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise StcError("E417", path=str(path), detail=f"more than {MAX_ROWS} rows")
    return header, rows


def _csv_table(path: Path) -> list[tuple[str, ...]]:
    import io

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, cp1252 for the Nordic languages
        text = data.decode("cp1252", errors="replace")
    try:
        reader = csv.reader(io.StringIO(text, newline=""),
                            delimiter=_delimiter(text.partition("\n")[0]))
        return [tuple(r) for r in reader]
    except csv.Error as exc:
        raise StcError("E417", path=str(path), detail=f"not a readable CSV file ({exc})") from None


def read_table(path: Path, wanted: tuple[str, ...], required: tuple[str, ...]) -> list[Row]:
    """The rows of a file holding one table: a .csv, or the first sheet of an .xlsx."""
    if path.suffix.lower() != ".xlsx":
        return _read_csv(path, wanted, required)
    book = _workbook(path)
    try:
        return _rows(path, _sheet_rows(path, book, _first_sheet(path, book)), wanted, required)
    finally:
        book.close()


def _workbook(path: Path) -> Any:
    import io
    import zipfile

    import openpyxl

    from stc.formats import read_bytes
    from stc.formats.zipguard import check_members

    try:
        # a spreadsheet from someone else: the archive checks every imported file passes
        check_members(path, zipfile.ZipFile(io.BytesIO(read_bytes(path))))
    except (zipfile.BadZipFile, OSError) as exc:
        raise StcError("E417", path=str(path), detail=f"not a readable .xlsx file ({exc})") \
            from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise _damaged(path, exc) from None


def _damaged(path: Path, exc: Exception) -> StcError:
    from stc.errors import BadInput

    detail = f"its XML is broken ({' '.join(str(exc).split())[:80] or type(exc).__name__})"
    return BadInput("E110", path=str(path), detail=detail)


def _first_sheet(path: Path, book: Any) -> str:
    if not book.sheetnames:
        raise StcError("E417", path=str(path), detail="it holds no sheet")
    return str(book.sheetnames[0])


def _sheet_rows(path: Path, book: Any, name: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet, read as they are needed; a damaged sheet is the archive's
    problem (E110), found only as openpyxl reads it.

    The sheet is read as its XML holds it, not as large as its `<dimension>` says (a claim
    some programs get wrong); reading stops, refusing the file (E417), at a row wider than
    MAX_COLUMNS, after MAX_EMPTY_RUN empty rows in a row or beyond row MAX_ROWS + 1, so a
    sheet that claims a million rows costs as little as a short one."""
    empty = 0
    try:
        sheet = book[name]
        if not hasattr(sheet, "iter_rows"):  # a chart sheet: a picture, no cells
            raise StcError("E417", path=str(path), detail=f"sheet `{name}` is a chart, not a"
                                                          " table")
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _check_size(path, name, number, values, empty)
            empty = 0 if any(v is not None and v != "" for v in values) else empty + 1
            yield values
    except StcError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
        raise _damaged(path, exc) from None


def _check_size(path: Path, sheet: str, number: int, values: tuple[Any, ...],
                empty: int) -> None:
    """Refuse row `number` of a sheet (E417) if it lies beyond what stc reads; `empty` rows
    in a row came before it."""
    if len(values) > MAX_COLUMNS:
        from openpyxl.utils import get_column_letter

        raise StcError("E417", path=str(path),
                       detail=f"row {number} of sheet `{sheet}` reaches column"
                              f" {get_column_letter(len(values))}; stc reads tables of at most"
                              f" {MAX_COLUMNS} columns")
    if empty >= MAX_EMPTY_RUN:
        raise StcError("E417", path=str(path),
                       detail=f"sheet `{sheet}` has {empty} empty rows in a row (rows"
                              f" {number - empty}-{number - 1}), and stc stops reading there;"
                              " delete them, and any stray cell below them")
    if number > MAX_ROWS + 1:
        raise StcError("E417", path=str(path), detail=f"more than {MAX_ROWS} rows")


def _read_xlsx(path: Path) -> tuple[list[Row], list[Row] | None]:
    book = _workbook(path)
    try:
        sheets = {name.lower(): book[name] for name in book.sheetnames}
        if "units" not in sheets:
            raise StcError("E417", path=str(path), detail="it has no sheet named `units`")
        units = _rows(path, _sheet_rows(path, book, sheets["units"].title), UNIT_COLUMNS,
                      ("document", "codes"))
        subs = None
        if "subgroups" in sheets:
            subs = _rows(path, _sheet_rows(path, book, sheets["subgroups"].title),
                         SUBGROUP_COLUMNS, ("group",))
    finally:
        book.close()
    return units, subs
