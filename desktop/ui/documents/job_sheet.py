"""The job sheet: a one-page work order for one job, signed by the customer on site.

It is handed to the customer, so internal notes never appear on it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QPagedPaintDevice, QTextDocument

from desktop.core.export import address_lines
from desktop.core.jobs import parse_day
from desktop.core.store import CustomerRecord, JobRecord
from desktop.ui import formatting
from desktop.ui.documents.printing import Letterhead, document, text
from desktop.ui.jobs.rows import PRIORITY_COLUMN, row_view

SHORTENED = "(Shortened to fit one page; the full text is in the job in JobDesk.)"


def _field(label: str, value: str) -> str:
    return f'<span class="label">{text(label)}</span><br/>{value}'


def _lines(*values: str | None) -> str:
    return "<br/>".join(text(v) for v in values if v) or text(None)


def _shorten(value: str | None, limit: int | None) -> str | None:
    if value is None or limit is None or len(value) <= limit:
        return value
    cut = value[:limit]
    # End on a whole word unless that would throw away much of what fits.
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def job_sheet_html(record: JobRecord, customer: CustomerRecord | None, printed: date,
                   letterhead: Letterhead, limit: int | None = None) -> str:
    """The sheet's HTML, with every value escaped; ``limit`` caps the description and
    the customer notes (in characters) when the whole text does not fit one page."""
    v = record.values
    day = parse_day(v["scheduled_date"])
    window = formatting.time_window(v["scheduled_time_start"], v["scheduled_time_end"])
    name = record.customer_name or (customer.display_name if customer else None)
    contact = (customer.phone, customer.email, customer.address) if customer else ()
    description = _shorten(v["description"], limit)
    notes = _shorten(v["customer_notes"], limit)
    shortened = (description, notes) != (v["description"], v["customer_notes"])
    schedule = _lines(f"{day:%A %d %B %Y}", window) if day else text("Not scheduled yet")
    technician = letterhead.technician(v["assigned_to_user_id"]) \
        if v["assigned_to_user_id"] else None
    amounts = "".join(
        f'<td width="20%">{_field(formatting.label(f), text(formatting.money(v[f])))}</td>'
        for f in ("estimated_amount", "actual_amount"))
    return f"""
<table width="100%" cellspacing="0" cellpadding="0"><tr>
  <td width="60%">{letterhead.head()}<br/>
      <span class="kind">Work order</span></td>
  <td align="right"><span class="number">{text(v["job_number"], "New job")}</span><br/>
      <span class="kind">Printed {printed:%d %b %Y}</span></td>
</tr></table>
<hr/>
<h1>{text(v["title"])}</h1>
<table width="100%" cellspacing="0" cellpadding="6" style="border-collapse: collapse;"
       border="1" border-color="#999999">
<tr>
  <td width="50%">{_field("Customer", _lines(name, *contact))}</td>
  <td width="50%">{_field("Service address", _lines(*address_lines(v)))}</td>
</tr>
<tr>
  <td>{_field("Scheduled", schedule)}</td>
  <td>{_field("Technician", text(technician))}</td>
</tr>
<tr>
  <td>{_field(formatting.label("status"), text(v["status"]))}</td>
  <td>{_field(formatting.label("priority"),
              text(row_view(record, printed).texts[PRIORITY_COLUMN]))}</td>
</tr>
</table>
<p class="section">{text(formatting.label("description"))}</p>
<p>{text(description)}</p>
<p class="section">{text(formatting.label("customer_notes"))}</p>
<p>{text(notes)}</p>
{f'<p class="muted">{text(SHORTENED)}</p>' if shortened else ""}
<table width="100%" cellpadding="4" cellspacing="0">
<tr><td width="60%"></td>{amounts}</tr></table>
<p class="section">Work completed to the customer's satisfaction</p>
<table width="100%" cellspacing="0" cellpadding="4"><tr>
  <td width="38%" height="44"></td><td width="4%"></td>
  <td width="38%"></td><td width="4%"></td><td width="16%"></td>
</tr><tr>
  <td style="border-top: 1px solid #000000;">Name</td><td></td>
  <td style="border-top: 1px solid #000000;">Signature</td><td></td>
  <td style="border-top: 1px solid #000000;">Date</td>
</tr></table>
"""


def job_sheet(device: QPagedPaintDevice, record: JobRecord, customer: CustomerRecord | None,
              printed: date, letterhead: Letterhead) -> QTextDocument:
    """The sheet laid out for ``device`` on one page.

    A description too long for the page is truncated with an ellipsis rather than
    set smaller: a technician must read it on site, and the full text is in the app.
    The longest text that still fits is found by halving.
    """
    doc = document(device, job_sheet_html(record, customer, printed, letterhead))
    if doc.pageCount() == 1:
        return doc
    longest = max(len(record.values["description"] or ""),
                  len(record.values["customer_notes"] or ""))
    low, high = 0, longest
    while low < high:
        middle = (low + high + 1) // 2
        doc.setHtml(job_sheet_html(record, customer, printed, letterhead, middle))
        if doc.pageCount() == 1:
            low = middle
        else:
            high = middle - 1
    doc.setHtml(job_sheet_html(record, customer, printed, letterhead, low))
    return doc
