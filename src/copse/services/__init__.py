"""Services: operations that combine lower layers (records, tasks, accounts) for the edges.

Administrators' record actions (finalize preview, erase task, delete task or
patient: :mod:`copse.services.manage`), the audit and device queries of the
oversight pages, the clinical views (trackers, clinical text), the demo data,
research exports and the import from a CamCOPS server. Services never commit
(except the importer, which owns its one transaction): the caller (CLI
command, web view) owns the transaction, so an action's audit entry and its
effects commit together; they check no permissions unless they say so.
"""
