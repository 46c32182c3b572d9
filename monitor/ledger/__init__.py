"""The enterprise risk ledger (风险企业台账).

One function per operation; the CLI, the web app and the scheduler call these:

    import_xlsx(session, path, actor=...)          spreadsheet in (row-level rejections)
    export_xlsx(session, out, as_of=...)           spreadsheet out (same columns + tag)
    enterprise_detail(session, ref, as_of=...)     one enterprise with signals and history
    assess(session, enterprise, as_of=...)         risk signals and the suggested tag
    set_tag(session, enterprise_id, tag, reason, actor)   the only way a tag changes
    record_event(session, enterprise, kind, ...)   异动
    record_visit / record_sweep / coverage         走访, 张贴物排查, 排查全覆盖
    candidates_for_lead / confirm_link             lead ↔ enterprise, confirmed by staff
    search_enterprises(session, EnterpriseFilters(...), page=, per_page=)   the ledger list

Every write is audited in the caller's transaction (`ledger.import`, `ledger.set_tag`,
`ledger.event`, `ledger.visit`, `ledger.sweep`); pass `audit_as=user` (and `ip=`) to
attribute it to an account, else the actor's name is recorded.

Modules: `uscc` (GB 32100 codes), `cells` (spreadsheet values), `names` (name matching),
`columns`, `xlsx_import`, `xlsx_export`, `enterprises`, `events`, `tags`, `signals`,
`visits`, `linking`, `detail`, `search`, `branches`.
"""

from monitor.ledger.detail import enterprise_detail
from monitor.ledger.enterprises import get_enterprise
from monitor.ledger.events import record_event
from monitor.ledger.linking import candidates_for_lead, candidates_for_text, confirm_link
from monitor.ledger.search import EnterpriseFilters, EnterprisePage, search_enterprises
from monitor.ledger.signals import Assessment, Reason, assess, assess_many
from monitor.ledger.tags import set_tag
from monitor.ledger.uscc import CreditCodeError, is_valid_credit_code, validate_credit_code
from monitor.ledger.visits import coverage, record_sweep, record_visit
from monitor.ledger.xlsx_export import export_xlsx
from monitor.ledger.xlsx_import import ImportSummary, LedgerFileError, import_xlsx

__all__ = [
    "Assessment",
    "CreditCodeError",
    "EnterpriseFilters",
    "EnterprisePage",
    "ImportSummary",
    "LedgerFileError",
    "Reason",
    "assess",
    "assess_many",
    "candidates_for_lead",
    "candidates_for_text",
    "confirm_link",
    "coverage",
    "enterprise_detail",
    "export_xlsx",
    "get_enterprise",
    "import_xlsx",
    "is_valid_credit_code",
    "record_event",
    "record_sweep",
    "record_visit",
    "search_enterprises",
    "set_tag",
    "validate_credit_code",
]
