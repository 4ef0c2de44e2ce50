"""Spreadsheets for coordinators, written one way whatever the format: CSV (UTF-8 with a BOM,
so that Excel reads it as such) or Excel (.xlsx), as an attachment, and no cell ever run as a
formula."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class Sheet:
    """Rows for a download named `name` (without extension), in `kind` ("csv" or "xlsx").
    Write the rows, then return `response()`."""

    def __init__(self, name: str, kind: str = "csv"):
        if kind not in FORMATS:
            raise ValueError(f"no spreadsheet format {kind!r}")
        self.kind = kind
        self.filename = f"{name}.{kind}"
        if kind == "csv":
            self._response = HttpResponse(content_type="text/csv; charset=utf-8")
            self._response.write("\ufeff")
            self._csv = csv.writer(self._response)
        else:
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet()

    def writerow(self, row) -> None:
        if self.kind == "csv":
            self._csv.writerow([safe_cell(value) for value in row])
        else:
            self._sheet.append([self._cell(value) for value in row])

    def _cell(self, value):
        # Numbers stay numbers; everything else is text, stored as text, so that Excel never
        # reads "=..." as a formula (and shows it as written, without a quote in front).
        if isinstance(value, bool) or not isinstance(value, int | float):
            cell = WriteOnlyCell(self._sheet, value="" if value is None else str(value))
            cell.data_type = "s"
            return cell
        return value

    def response(self) -> HttpResponse:
        if self.kind == "csv":
            response = self._response
        else:
            content = io.BytesIO()
            self._book.save(content)
            response = HttpResponse(content.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


# --------------------------------------------------------------------------------------------
# Reading what coordinators upload
# --------------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class UnreadableSheet(ValueError):
    """An upload that is not a spreadsheet we can read, with a message for the coordinator."""


def read_rows(upload) -> list[list[str]]:
    """The rows of an uploaded .csv (UTF-8, with or without a BOM, comma or semicolon, as
    Excel writes it in Nordic locales) or .xlsx (its first sheet), every cell as trimmed
    text; empty rows are left out."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_UPLOAD_BYTES:
        raise UnreadableSheet(_("The file is larger than 2 MB; split it and import each part."))
    content = upload.read()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise UnreadableSheet(_("Choose a .csv or .xlsx file."))
    rows = [row for row in rows if any(row)]
    if len(rows) > MAX_ROWS + 1:
        raise UnreadableSheet(
            _("The file has more than %(max)d rows; split it and import each part.")
            % {"max": MAX_ROWS}
        )
    return rows


_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Control characters (a NUL above all, which PostgreSQL refuses) are no one's text.
    return " ".join(str(value).translate(_CONTROLS).split())


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableSheet(
            _("The file is not in UTF-8. In Excel, save it as 'CSV UTF-8' and try again.")
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [
        [_text(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise UnreadableSheet(_("The file could not be read as an Excel workbook.")) from None
    try:
        sheet = book.worksheets[0]
        return [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
