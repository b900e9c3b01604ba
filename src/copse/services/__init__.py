"""Services that act on stored records for an administrator: finalize
preview, erase task, delete task or patient (:mod:`copse.services.manage`).

They run in the caller's transaction (never commit), check no permissions
(the web views and CLI commands do, on the group of what is acted on) and
keep both indexes exact.
"""
