"""Tables as Excel workbooks (.xlsx, opened by Excel and WPS alike), for every page's 导出 button.

One builder for all of them, on openpyxl: a title row, the notes that say how the figures were counted
(a report must say whether 基本满意 counted as satisfied), a bold header row that stays in view when
scrolling, the rows, and an optional bold total. Shares are written as numbers with a percentage format,
not as text, so that the sheet can compute with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 14
    percent: bool = False  # a share (0–1), shown as 12.3 %


def workbook(
    sheet: str,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    notes: Sequence[str] = (),
    total: Sequence[Any] | None = None,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    for note in notes:
        ws.append([note])
    ws.append([])
    header = ws.max_row + 1
    ws.append([c.title for c in columns])
    for cell in ws[header]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{header + 1}"
    for row in rows:
        ws.append(list(row))
    if total is not None:
        ws.append(list(total))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for i, c in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        if c.percent:
            for r in range(header + 1, ws.max_row + 1):
                ws[f"{letter}{r}"].number_format = "0.0%"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition of a download named ``filename`` (Chinese names kept, RFC 5987)."""
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


def local_time(at: datetime | None, tz: str) -> str:
    """A time as a sheet shows it: in the centre's time zone, to the minute ('' for none)."""
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if at else ""
