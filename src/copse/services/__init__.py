"""Services: operations that combine lower layers (data, tasks, accounts) for the edges.

Services never commit: the caller (CLI command, web view, job runner) owns the
transaction, so one action's audit entry and its effects commit together.
"""
