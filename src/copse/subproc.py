"""Short-lived helper processes: how copse starts them and talks to them.

A helper is a new Python interpreter running one function of copse
(:func:`start`), with pickled messages through its standard input and output.
copse uses them where one process would keep one core busy and leave the
other idle, and a thread cannot help because the work holds the interpreter
lock: a large download's file (:mod:`copse.services.export.writer_process`)
and the index entries of a rebuild (:mod:`copse.index.entry_process`).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

#: The helper's start: ``-P`` keeps the working folder off ``sys.path`` (nothing
#: there can stand in for a module), and the folder holding copse is searched
#: last, so copse is found as this process found it (installed, or a checkout).
_BOOT = (
    "import sys, importlib; sys.path.append(sys.argv.pop(1)); "
    "main = getattr(importlib.import_module(sys.argv.pop(1)), 'main'); "
    "sys.exit(main(sys.argv[1:]))"
)
#: The parent's pipe buffers: fewer system calls than the default 8 KB, and a
#: pipe that holds this much rarely makes a writer wait for its reader.
PIPE_BUFFER = 1 << 20
PROTOCOL = pickle.HIGHEST_PROTOCOL


def start(module: str, args: list[str]) -> subprocess.Popen[bytes]:
    """A new interpreter running ``module.main(args)``, its stdin and stdout piped."""
    src = str(Path(__file__).resolve().parents[1])  # the folder holding copse
    proc = subprocess.Popen(
        [sys.executable, "-P", "-c", _BOOT, src, module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=PIPE_BUFFER,
    )
    assert proc.stdin is not None and proc.stdout is not None
    enlarge_pipe(proc.stdin.fileno())
    enlarge_pipe(proc.stdout.fileno())
    return proc


def enlarge_pipe(fd: int) -> None:
    """A pipe of :data:`PIPE_BUFFER` bytes where the system allows (Linux); else as it is."""
    try:
        import fcntl  # noqa: PLC0415 -- Unix only
    except ImportError:
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return
    try:
        fcntl.fcntl(fd, set_size, PIPE_BUFFER)
    except OSError:  # over /proc/sys/fs/pipe-max-size: slower, not wrong
        pass


def send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    """One message, flushed (the other side may be waiting for it)."""
    pickle.dump(message, out, PROTOCOL)
    out.flush()


def peak_mb() -> float:
    """This process's peak resident size in MB.

    ``VmHWM`` where there is ``/proc`` (Linux): ``getrusage``'s maximum is
    kept across ``exec``, so a helper started by ``fork`` would report its
    parent's size from before it became the helper.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # noqa: PLC0415 -- Unix only
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
