"""What the read API answers: visible patients, tasks with summaries, the catalogue.

The read API's edge (:mod:`copse.readapi`) parses requests and writes JSON;
every query lives here.  Each function takes the viewer's visible groups
(None = every group, for superusers) and applies them in SQL, the same
visibility as the web task list, so nothing invisible can reach a reply.
"""
