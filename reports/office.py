"""Word and Excel output that is byte-identical for the same state.

Office files are zip archives whose entries carry timestamps and whose core properties carry the
time of saving. Both are fixed here: entries are re-zipped in sorted order with one fixed
timestamp, and the core properties name the time of the last change shown, never the clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from stc.phrases import language_tag

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def change_time(at: str) -> datetime:
    """The trail's UTC time (`2026-01-02T10:00:00.000000Z`) as a naive UTC datetime."""
    parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _fix_core(xml: bytes, when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    for tag in (rb"dcterms:created", rb"dcterms:modified"):
        xml = re.sub(rb"(<" + tag + rb"[^>]*>)[^<]*(</" + tag + rb">)",
                     rb"\g<1>" + stamp + rb"\g<2>", xml)
    return xml


def normalised_zip(data: bytes, when: datetime) -> bytes:
    """The archive again, entries sorted ([Content_Types].xml first, as Office expects),
    fixed timestamps and core-property times."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == "docProps/core.xml":
                body = _fix_core(body, when)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, body)
    return out.getvalue()


# The chapter's look when the project has no reference document of its own: a restrained
# thesis page (serif text, black headings, block quotations indented on both sides).
SERIF = "Times New Roman"  # LibreOffice shows it as the metric-compatible Liberation Serif
PAPER = {"A4": (210, 297), "Letter": (215.9, 279.4)}  # millimetres
HEADINGS = {"Heading 1": (16, 24, 12), "Heading 2": (14, 18, 6), "Heading 3": (12, 12, 6)}


def _document(model: dict[str, Any], reference: bytes | None) -> Any:
    """A Word document with the project's look (its reference document, else the thesis
    look), language, footer and properties, and no text yet."""
    from docx import Document

    doc = Document(io.BytesIO(reference)) if reference is not None else Document()
    options = model["options"]
    if reference is None:
        _thesis_look(doc, options["paper"])
    else:
        _clear_body(doc)
    _set_language(doc, model["language_tag"])
    _footer(doc, model["state_line"] if options["stamp_footer"] else None)
    _properties(doc, model, change_time(model["state"]["at"]))
    return doc


def _saved(doc: Any, model: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalised_zip(buffer.getvalue(), change_time(model["state"]["at"]))


def results_docx(model: dict[str, Any], reference: bytes | None) -> bytes:
    """The results chapter in Word: real Heading 1-3 styles and the Quote style, so it pastes
    into a thesis. A project's templates/results.docx (`reference`) supplies the styles, page
    and footer; without one the chapter gets a plain thesis look. The document language is
    the report language (spell-checking), quotations printed in the transcripts' language
    carry theirs; the state shown goes into the document properties and, if the settings ask,
    the footer, never the text."""
    doc = _document(model, reference)
    add = _Adder(doc)
    add("Heading 1", model["chapter_title"])
    if model["overview"]:
        add(None, model["overview"])
    if model["withdrawn"]:
        add(None, model["withdrawn"]).runs[0].italic = True
    source = (model["language"], language_tag(model["source_language"]))
    for c in model["categories"]:
        add("Heading 2", c["numbered"])
        _add_blocks(add, model["p"], c["blocks"], source)
        for s in c["subcategories"]:
            add("Heading 3", s["numbered"])
            _add_blocks(add, model["p"], s["blocks"], source)
    if model["by_table"]:
        _by_table(doc, add, model["p"], model["by_table"])
    return _saved(doc, model)


def _by_table(doc: Any, add: _Adder, p: dict[str, Any], by: dict[str, Any]) -> None:
    """Prevalence by an attribute: categories down, the attribute's values across."""
    add(None, by["title"]).runs[0].bold = True
    values = len(by["columns"])
    share = 60 // values
    _table(doc, [p["category"], *(f"{c['value']} (n = {c['n']})" for c in by["columns"])],
           [[f"   {r['subgroup']}" if r["subgroup"] else r["group"], *r["cells"]]
            for r in by["rows"]], (100 - share * values, *(share,) * values), numbers=values)
    add(None, by["note"])


class _Adder:
    """Adds paragraphs in a style found once by name: python-docx looks a style name up
    anew for every paragraph, which costs more than the paragraph itself."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.ids: dict[str, str] = {}

    def __call__(self, style: str | None, text: str) -> Any:
        para = self.doc.add_paragraph(text)
        if style is not None:
            if style not in self.ids:
                self.ids[style] = self.doc.styles[style].style_id
            para._p.get_or_add_pPr().style = self.ids[style]
        return para


def method_docx(model: dict[str, Any], reference: bytes | None) -> bytes:
    """The method chapter's material in Word: the draft paragraph, the example table and the
    codebook as Word tables, in the same look as the results chapter."""
    p = model["p"]
    doc = _document(model, reference)
    doc.core_properties.title = f"{p['method']} – {model['title']}"
    doc.add_heading(p["method"], level=1)
    doc.add_heading(p["method_paragraph"], level=2)
    doc.add_paragraph(" ".join(model["paragraph"]))
    doc.add_heading(p["method_example"], level=2)
    _table(doc, [p["col_unit"], p["col_code"], p["col_group"], p["col_subgroup"],
                 p["col_condensate"], p["col_category"]],
           [[r["text"], r["codes"], r["group"], r["subgroup"], r["condensate"], r["category"]]
            for r in model["examples"]], (25, 11, 15, 14, 21, 14))
    doc.add_heading(p["method_codebook"], level=2)
    _table(doc, [p["col_group"], p["col_code"], p["col_definition"], p["col_units"],
                 p["col_participants"]],
           [[g["group"] if i == 0 else "", c["name"], c["definition"], str(c["units"]),
             str(c["participants"])]
            for g in model["codebook"] for i, c in enumerate(g["codes"])],
           (20, 20, 29, 13, 18), numbers=2)
    return _saved(doc, model)


TABLE_TEXT = "Table Text"  # a paragraph style made for the tables' cells: 10 pt, single


def _table(doc: Any, header: list[str], rows: list[list[str]], shares: tuple[int, ...],
           numbers: int = 0) -> None:
    """A Word table over the text width, its columns by `shares` (percent); the last
    `numbers` columns hold counts, aligned right. Cells take one paragraph style, set once,
    not formatting per run: a codebook has thousands of cells."""
    from copy import deepcopy

    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    if TABLE_TEXT not in [s.name for s in doc.styles]:
        style = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(10)
        style.paragraph_format.line_spacing = 1.0
        style.paragraph_format.space_after = Pt(0)
    style_id = doc.styles[TABLE_TEXT].style_id
    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    table = doc.add_table(rows=1, cols=len(header))
    table.autofit = False
    if "Table Grid" in [s.name for s in doc.styles]:
        table.style = doc.styles["Table Grid"]
    for column, share in zip(table.columns, shares, strict=True):
        column.width = int(width * share / 100)  # the grid, which Word and LibreOffice follow
    right = range(len(header) - numbers, len(header))
    for number, row in enumerate([header, ["-"] * len(header)]):
        cells = table.rows[0].cells if number == 0 else table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            para = cell.paragraphs[0]
            para.add_run(text).bold = True if number == 0 else None
            para._p.get_or_add_pPr().style = style_id
            if index in right:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # every data row a copy of one formatted row, its texts filled in: python-docx's cell API
    # builds each cell element by element
    pattern = table.rows[1]._tr
    pattern.getparent().remove(pattern)
    for row in rows:
        copy = deepcopy(pattern)
        for node, text in zip(copy.iter(qn("w:t")), row, strict=True):
            node.text = text
            node.set(SPACE, "preserve")
        table._tbl.append(copy)


SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _add_blocks(add: _Adder, p: dict[str, Any], blocks: list[dict[str, Any]],
                source: tuple[str, str]) -> None:
    """Paragraphs and quotations; a quotation printed in the transcripts' language (the
    chapter being in another) is marked as written in that language."""
    report_language, source_tag = source
    for b in blocks:
        if b["kind"] == "text":
            add(None, b["text"])
            continue
        quote = b["quote"]
        text = f"{p['quote_open']}{quote['text']}{p['quote_close']}"
        para = add("Quote", text)
        if quote["language"] != report_language:
            _run_language(para.runs[0], source_tag)
        if quote["attribution"]:
            para.add_run(f" {quote['attribution']}").font.italic = False  # not her words


def _thesis_look(doc: Any, paper: str) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Mm, Pt, RGBColor

    width, height = PAPER.get(paper, PAPER["A4"])
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    _font(normal, SERIF, 12)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(6)
    for name, (size, before, after) in HEADINGS.items():
        style = doc.styles[name]
        _font(style, SERIF, size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    quote = doc.styles["Quote"]
    _font(quote, SERIF, 11)
    quote.font.italic = True
    quote.font.color.rgb = RGBColor(0, 0, 0)
    quote.paragraph_format.left_indent = Cm(1)
    quote.paragraph_format.right_indent = Cm(1)
    quote.paragraph_format.space_before = Pt(6)
    quote.paragraph_format.space_after = Pt(12)
    quote.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _font(style: Any, name: str, size: float) -> None:
    """A style's font by name, replacing theme fonts (which Word prefers to a name)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), name)


def _clear_body(doc: Any) -> None:
    """A reference document gives styles, page and footer; its own text is not the chapter."""
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)


def _set_language(doc: Any, tag: str) -> None:
    """The language Word checks spelling in: the document default, every style that names
    one, and the settings' theme font language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _lang(rpr, tag)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)
    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), tag)


def _lang(rpr: Any, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _run_language(run: Any, tag: str) -> None:
    _lang(run._r.get_or_add_rPr(), tag)


def _footer(doc: Any, stamp: str | None) -> None:
    """The page number, centred, in a footer of the chapter's own (a reference document's
    footer is kept); the state shown beneath it when the settings ask for it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for section in doc.sections:
        footer = section.footer
        if not footer.is_linked_to_previous and any(p.text for p in footer.paragraphs):
            continue  # the reference document's own footer
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        para._p.append(field)
        if stamp:
            line = footer.add_paragraph(stamp)
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            line.paragraph_format.line_spacing = 1.0
            for r in line.runs:
                r.font.size = Pt(8)


def _properties(doc: Any, model: dict[str, Any], when: datetime) -> None:
    props = doc.core_properties
    props.title = f"{model['chapter_title']} – {model['title']}"
    props.author = model["author"]
    props.last_modified_by = model["author"]
    props.comments = model["state_line"]
    props.language = model["language_tag"]
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
    _custom_properties(doc, state_properties(model["state"]))  # what the text never shows


def state_properties(state: dict[str, Any]) -> list[tuple[str, str]]:
    """The state a file shows, as named document properties."""
    return [("stc change", str(state["seq"])), ("stc changed at", state["at"]),
            ("stc trail hash", state["hash"]), ("stc version", state["version"])]


CUSTOM_PROPERTIES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "custom-properties")
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"


def _custom_properties(doc: Any, items: list[tuple[str, str]]) -> None:
    """docProps/custom.xml: Word shows these under File > Properties > Custom."""
    from xml.sax.saxutils import escape, quoteattr

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    entries = "".join(
        f'<property fmtid="{fmtid}" pid="{i}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for i, (name, value) in enumerate(items, start=2))
    blob = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
            '"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt='
            '"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{entries}</Properties>").encode()
    package = doc.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == CUSTOM_PROPERTIES:  # a reference document's own: replaced
            package.rels.pop(rel.rId)
    package.relate_to(Part(PackURI("/docProps/custom.xml"), CUSTOM_TYPE, blob, package),
                      CUSTOM_PROPERTIES)


def matrix_xlsx(header: list[str], rows: list[list[Any]], state: dict[str, Any],
                author: str) -> bytes:
    """The matrix as one plain sheet; the state shown is in the document properties."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty

    when = change_time(state["at"])
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "matrix"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    wb.properties.created = when
    wb.properties.modified = when
    custom = wb.custom_doc_props  # type: ignore[attr-defined]  # openpyxl 3.1; not in its stubs
    for name, value in state_properties(state):
        custom.append(StringProperty(name=name, value=value))
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalised_zip(buffer.getvalue(), when)
