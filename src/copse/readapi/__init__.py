"""The read API: JSON over HTTP for people and programs that pull data (issue 14).

Served below ``/read/v1`` (``/api`` and ``/database`` belong to the tablets),
authenticated by personal API tokens, documented at ``/openapi.json`` and
``/read/docs``.  An edge like the web front end and the CLI: it holds no
SQL; the queries are in :mod:`copse.services.readapi`.
"""
