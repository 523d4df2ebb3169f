"""The route sheet: one technician's visits still to make on one day, in the order
they are made (``core.export.day_route``).

Technicians carry it in front of customers, so internal notes never appear on it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QPagedPaintDevice, QTextDocument

from desktop.core.export import address_lines, day_route
from desktop.core.store import CustomerRecord, JobRecord, Store
from desktop.ui import formatting
from desktop.ui.documents.printing import Letterhead, document, keep_tables_whole, text


def _stop(job: JobRecord, customer: CustomerRecord | None) -> str:
    v = job.values
    window = formatting.time_window(v["scheduled_time_start"], v["scheduled_time_end"])
    name = job.customer_name or (customer.display_name if customer else None)
    who = " · ".join(text(p) for p in (name, customer and customer.phone) if p)
    heading = " · ".join(text(p) for p in (v["job_number"], v["title"]) if p)
    notes = (f'<br/><span class="label">{text(formatting.label("customer_notes"))}</span>'
             f'<br/>{text(v["customer_notes"])}') if v["customer_notes"] else ""
    return f"""
<table width="100%" cellspacing="0" cellpadding="6" border="1" border-color="#999999"
       style="border-collapse: collapse; margin-top: 8px;"><tr>
  <td width="18%"><b>{text(window, "Any time")}</b></td>
  <td><b>{heading}</b><br/>{who or text(None)}<br/>
      {"<br/>".join(text(line) for line in address_lines(v)) or text(None)}{notes}</td>
</tr></table>"""


def route_sheet_html(technician: str, day: date, jobs: list[JobRecord],
                     customers: dict[str, CustomerRecord], letterhead: Letterhead) -> str:
    count = f"{len(jobs)} job{'' if len(jobs) == 1 else 's'}"
    stops = "".join(_stop(j, customers.get(j.values["customer_uuid"] or "")) for j in jobs)
    return f"""
<table width="100%" cellspacing="0" cellpadding="0"><tr>
  <td width="45%">{letterhead.head()}<br/>
      <span class="kind">Route sheet</span></td>
  <td align="right"><span class="number">{day:%A %d %B %Y}</span><br/>
      <span class="kind">{count}</span></td>
</tr></table>
<hr/>
<p><span class="label">Technician</span><br/>
{text(letterhead.technician(technician))}</p>
{stops or '<p class="muted">No jobs scheduled for this day.</p>'}
"""


def route_sheet(device: QPagedPaintDevice, store: Store, technician: str,
                day: date) -> tuple[QTextDocument, int]:
    """The sheet laid out for ``device``, each job whole on one page; and the job count."""
    jobs = day_route(store, technician, day)
    uuids = sorted({j.values["customer_uuid"] for j in jobs if j.values["customer_uuid"]})
    customers = {str(c.uuid): c for c in store.customers_by_uuid(uuids)}
    doc = document(device, route_sheet_html(technician, day, jobs, customers,
                                            Letterhead.read(store)))
    keep_tables_whole(doc)
    return doc, len(jobs)
