"""One module per instrument or family of instruments.

Every module here must export ``TASKS``: a tuple of task-definition
instances. :mod:`copse.tasks.catalogue` imports every module of this package,
so adding an instrument is adding a module; nothing else needs registering.
"""
