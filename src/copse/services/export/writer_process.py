"""A large download's file written by a second process while the first reads the database.

perf: a download spent about a third of its time putting rows into the
staging SQLite file (``executemany`` binds each value: ~0.16 us a value,
~0.7 s for 100,000 tasks) and, for CSV and Excel, more writing the final
file (the CSV-zip now writes its task rows straight to the ZIP:
:class:`~copse.services.export.csv_out.CsvZipWriter`).  None of that needs
the database or the task definitions, and a thread cannot take it off the
reading process (``sqlite3`` releases the interpreter lock around every row
it steps, so a writer thread and a reader thread hand the lock back and
forth: 50,000 rows took 30 s instead of 0.4 s).  So a download of
:data:`PROCESS_MIN_TASK_ROWS` or more task rows sends its rows, pickled,
through a pipe to a new Python process running :func:`main`, which stages
and finishes the file with the same code
(:class:`~copse.services.export.sqlite_out.SqliteWriter`,
:func:`~copse.services.export.files.finish_file`) on the other core.  The
pipe's buffer bounds what waits between the two, so memory stays bounded.

The writer imports only the standard library, the Excel binding and the
file modules (~0.1 s to start); it never touches the database, and it
deletes its files if the reading process goes away before asking for the
file (a server killed mid-download).
"""

from __future__ import annotations

import pickle
import signal
import sys
from pathlib import Path
from typing import IO, Any, cast

from copse import subproc
from copse.errors import ServerError
from copse.services.export.files import finish_file, staging_writer
from copse.services.export.shapes import FileRefused, Format, OutTable, Rows

#: Downloads expecting at least this many task rows stage in a second process.
PROCESS_MIN_TASK_ROWS = 20_000


class WriterFailed(ServerError):
    """The writer process stopped without the file (its reason in the message)."""


class ProcessWriter:
    """The parent's side: a :class:`~copse.services.export.files.FileWriter`
    whose rows go to the writer process."""

    def __init__(self, stage_path: Path, fmt: Format, target: Path) -> None:
        self.stage_path = stage_path
        # Its pipe holds a whole buffer, so a write rarely waits for the writer
        # to be scheduled (with the default 64 KB: 0.75 s of waits in 2.3 s).
        self.proc = subproc.start(__name__, [str(stage_path), fmt, str(target)])
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._to: IO[bytes] = self.proc.stdin
        self._from: IO[bytes] = self.proc.stdout
        self._sent: set[str] = set()
        self._done = False
        #: The writer's peak resident size (MB), once it has written the file.
        self.peak_mb: float | None = None

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            pickle.dump(message, self._to, subproc.PROTOCOL)
        except (BrokenPipeError, OSError):
            self._outcome()  # raises with the reason the writer gave
            raise WriterFailed(
                "the download's file could not be written: the writer stopped"
            ) from None

    def _outcome(self) -> dict[str, int]:
        """The writer's reply once it has stopped: rows per table, or its reason raised."""
        self._done = True
        try:
            kind, value = pickle.load(self._from)
        except (EOFError, pickle.UnpicklingError, ValueError):
            kind, value = "failed", None
        status = self.proc.wait()
        if kind == "done" and status == 0:
            counts: dict[str, int] = value[0]
            self.peak_mb = float(value[1])
            return counts
        if kind == "refused":
            raise FileRefused(str(value))
        raise WriterFailed(
            f"the download's file could not be written: {value or f'exit status {status}'}"
        )

    def ensure(self, table: OutTable) -> None:
        if table.name not in self._sent:
            self._sent.add(table.name)
            self._send(("ensure", table))

    def insert(self, table: OutTable, rows: Rows) -> None:
        self.ensure(table)
        self._send(("insert", table.name, rows))

    def create_indexes(self) -> None:
        self._send(("indexes",))

    def finish(self) -> dict[str, int]:
        self._send(("finish",))
        try:
            self._to.close()
        except (BrokenPipeError, OSError):
            pass
        return self._outcome()

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self.proc.kill()
        self.proc.wait()
        for f in (self._to, self._from):
            try:
                f.close()
            except (BrokenPipeError, OSError):
                pass


def main(argv: list[str]) -> int:
    """The writer process: stage the rows it is sent, then write the file asked for."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    stage_path, fmt, target = Path(argv[0]), cast(Format, argv[1]), Path(argv[2])
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    writer = staging_writer(stage_path, fmt, target)
    tables: dict[str, OutTable] = {}
    try:
        while True:
            try:
                message = pickle.load(inp)
            except EOFError:  # the reading process went away: no file
                writer.close()
                stage_path.unlink(missing_ok=True)
                target.unlink(missing_ok=True)
                return 1
            kind = message[0]
            if kind == "ensure":
                table: OutTable = message[1]
                tables[table.name] = table
                writer.ensure(table)
            elif kind == "insert":
                writer.insert(tables[message[1]], message[2])
            elif kind == "indexes":
                writer.create_indexes()
            else:  # finish
                counts = finish_file(writer, fmt, target)
                subproc.send(out, ("done", (counts, subproc.peak_mb())))
                return 0
    except FileRefused as exc:
        subproc.send(out, ("refused", exc.message))
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which fails the download
        subproc.send(out, ("failed", f"{type(exc).__name__}: {exc}"))
    writer.close()
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
