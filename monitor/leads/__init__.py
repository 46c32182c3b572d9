"""Lead queries (线索查询): the review queue, one lead's detail, and the export.

    page = queue(session, LeadFilters(status=["new"], risk=["high"]), sort="newest")
    detail = get_lead(session, lead_id)
    for record in export_records(session): ...
    export_leads(session, "xlsx", path=Path("leads.xlsx"))

Writes to leads belong to `monitor.intake` (new leads, versions, sightings) and
`monitor.workflow` (review decisions); this package only reads.
"""

from monitor.leads.detail import LeadDetail, get_lead
from monitor.leads.export import FIELDS, FORMATS, export_leads, export_records
from monitor.leads.queue import SORTS, LeadFilters, QueuePage, QueueRow, queue, status_counts

__all__ = [
    "FIELDS",
    "FORMATS",
    "SORTS",
    "LeadDetail",
    "LeadFilters",
    "QueuePage",
    "QueueRow",
    "export_leads",
    "export_records",
    "get_lead",
    "queue",
    "status_counts",
]
