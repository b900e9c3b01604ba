"""Reading stored records: the rows behind the task, patient and BLOB pages
(:mod:`copse.records.rows`) and the task list's filter and direct listing
(:mod:`copse.records.tasklist`).

This package sits below the index (whose task list must give exactly the
direct listing's answer) and below every edge (web, API, CLI), so none of
them owns the meaning of a filter or of "the current patient of a task".
"""
