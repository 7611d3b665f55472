"""One ingest at a time per index: a file lock in RESO_DATA_DIR.

Two `reso ingest` runs (or a `reso ingest` and the server's admin ingest) writing the same
embedded Chroma index at once would interleave their writes and, worse, two processes would each
flush their own copy of the vector index over the other's. `ingest_lock` serialises them: the
second waits (saying so once) or, given a timeout, fails with `IngestBusy`.

The lock is an OS lock (`flock`) held on an open file, so a killed ingest (even SIGKILL) releases
it with its process: there is never a stale lock to remove by hand.

Limitation: the lock file lives in the local data folder (`RESO_DATA_DIR/ingest.lock`) even when
the index is on a Chroma server (`RESO_CHROMA_HOST`). It therefore serialises only the ingests
that share that folder on one machine; ingests into the same server from other machines, or from
processes with another RESO_DATA_DIR, are not serialised by it (and a network file system may not
honour `flock` at all). Readers (questions) never take the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reso.errors import ResoError

LOCK_FILE = "ingest.lock"
WAITING = "waiting for another ingest to finish…"


class IngestBusy(ResoError):
    """Another ingest holds the index longer than the caller agreed to wait."""


@contextmanager
def ingest_lock(
    data_dir: Path,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the ingest lock of `data_dir` for the block; yields the lock file's path.

    `timeout` None waits as long as it takes; otherwise `IngestBusy` after that many seconds.
    `on_wait` is told once, with `WAITING`, when another holder makes this one wait.
    """
    from filelock import Timeout

    path = Path(data_dir) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _file_lock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(WAITING)
        try:
            lock.acquire(timeout=-1 if timeout is None else max(timeout, 0))
        except Timeout:
            raise IngestBusy(
                f"Another ingest is still writing the index in {data_dir} (lock {path}) after {timeout:g} s; "
                "try again when it has finished, or wait longer with --timeout."
            ) from None
    try:
        yield path
    finally:
        lock.release()


def ingest_running(data_dir: Path) -> bool:
    """Whether an ingest holds `data_dir`'s lock now (another process's, or another thread's here).

    A server that sees the index change while an ingest is still writing it waits for the ingest
    instead of reloading at once: the ingest builds the new state's search tables before it lets
    go of the lock (`Library._update_tables`), and the server then loads them in a few seconds,
    where building them itself meanwhile cost ~20 s of both cores beside the ingest's own build
    and the memory of a build on top of the state it answers from (120k paragraphs). Probing
    takes the lock for an instant: an ingest starting then waits that instant.
    """
    from filelock import Timeout

    path = Path(data_dir) / LOCK_FILE
    if not path.is_file():
        return False  # no ingest ever ran here
    lock = _file_lock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:  # a folder this process may read but not lock (read-only): it cannot tell; reload as before
        return False
    lock.release()
    return False


def _file_lock(path: Path):  # -> filelock.FileLock
    """The lock on `path`, the same for the ingest holding it and a server probing it."""
    from filelock import FileLock

    try:
        # the file is never unlinked (no race with a waiter on the old inode), and no "soft" fallback
        # (a marker file, which a killed holder would leave behind for ever) on file systems without flock
        return FileLock(path, thread_local=False, preserve_lock_file=True)
    except TypeError:  # filelock 3: never unlinks, never falls back
        return FileLock(path, thread_local=False)
