"""Web downloads: requests checked up front, background jobs kept in the database.

* :mod:`~copse.services.downloads.request`: options <-> JSON, checks and the
  size estimate that decides between streaming and a background job;
* :mod:`~copse.services.downloads.jobs`: the job table's state changes
  (submit, claim, heartbeat, finish, fail, recover, expire, quota);
* :mod:`~copse.services.downloads.runner`: running a claimed job in a
  server process.
"""
