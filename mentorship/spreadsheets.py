"""Spreadsheets for coordinators, written one way whatever the format: CSV (UTF-8 with a BOM,
so that Excel reads it as such) or Excel (.xlsx), as an attachment, and no cell ever run as a
formula."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
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
