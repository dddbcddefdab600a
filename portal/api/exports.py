"""CSV and XLSX exports of a filtered, scoped list, logged in the personal-data access log.

The viewset gives the rows (already through `visible_to(user)` and the FilterSet) and the columns,
each a (header, function of the row) pair whose values are masked where they are personal data.
CSV is streamed; XLSX is written by openpyxl in write-only mode (rows are not kept in memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from portal import privacy
from portal.models import AccessLog

from .renderers import CSVRenderer, XLSXRenderer

Column = tuple[str, Callable]
#: cells starting with these would be read as formulas by a spreadsheet (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def _csv_stream(columns: list[Column], rows: Iterable) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so that spreadsheet programs read the Chinese text as UTF-8
    yield writer.writerow([header for header, _value in columns])
    for row in rows:
        yield writer.writerow([_cell(value(row)) for _header, value in columns])


def _xlsx_bytes(columns: list[Column], rows: Iterable, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([header for header, _value in columns])
    for row in rows:
        sheet.append([_cell(value(row)) for _header, value in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    *, request, fmt: str, queryset, columns: list[Column], filename: str, fields: list[str], object_type: str
):
    """The file of `queryset` in `fmt` ("csv" or "xlsx"), after logging the export (who, what, which filter)."""
    query = request.GET.urlencode()
    reason = (request.query_params.get("reason") or "").strip() or f"API export {query}".strip()
    privacy.log_access(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        fields=[",".join(fields)[:200]],
        reason=reason,
        object_type=object_type,
    )
    rows = queryset.iterator(chunk_size=2000)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(columns, rows), content_type=f"{CSVRenderer.media_type}; charset=utf-8"
        )
    else:
        response = HttpResponse(_xlsx_bytes(columns, rows, filename), content_type=XLSXRenderer.media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
