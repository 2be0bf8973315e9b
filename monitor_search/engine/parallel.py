"""Whoosh's multi-process writer, made safe to interrupt.

Indexing is CPU-bound Python, so a large batch is analysed and written by one child
process per core (``whoosh.multiproc.MpWriter``, each child writing its own segment).
Whoosh's version leaves holes that this module closes:

* children inherit the index's lock files; if the parent is killed (``kill -9``) they
  would live on, blocked on their job queue, holding the lock for ever. Here they are
  killed by the kernel when the parent dies (Linux ``PR_SET_PDEATHSIG``);
* Ctrl-C reaches the whole process group, and each child would print a traceback.
  Children ignore SIGINT; the parent cancels them (SIGTERM). Both signals stay blocked from
  the fork until the child has set its own handlers: a child forked just as the parent is
  interrupted would otherwise run the parent's handler and print a traceback;
* a child that fails (disk full) vanishes silently and its documents with it. Here the
  commit checks every child's exit status and fails as loudly as a single writer would;
* an interrupted commit leaves the children running, and Python's exit waits for them;
  here they are ended with the commit;
* an interruption that lands inside the job queue's ``put``, just after it took the
  queue's lock, leaves the lock held, and closing the queue then waits for it for ever.
  Here the stop signals are held back while a job is put and while the queue is closed.
"""

from __future__ import annotations

import ctypes
import errno
import multiprocessing
import multiprocessing.queues
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from queue import Full

from whoosh.multiproc import MpWriter, SubWriterTask

_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_FAILED = 255
"""Exit status of a child that failed other than with an OSError (whose errno it exits with)."""
_PUT_WAIT = 0.05
"""Seconds a put waits for room with the stop signals held back, before it lets them in."""


def available() -> bool:
    """Parallel writing needs two cores and Linux (for the kill-with-parent guarantee)."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


class _Child(SubWriterTask):
    def run(self):
        parent = self._parent_pid
        _die_with_parent()
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(_FAILED)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        try:
            super().run()
        except OSError as error:
            os._exit(error.errno or _FAILED)  # the parent turns it back into an OSError
        except BaseException:
            os._exit(_FAILED)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (pending, not lost) until the block is left."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class _JobQueue(multiprocessing.queues.Queue):
    """A queue whose ``put`` is never interrupted halfway.

    A full queue is waited on in short steps with the signals let in between them, so
    Ctrl-C still stops a parent whose children have stopped taking jobs.
    """

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize, ctx=multiprocessing.get_context())

    def put(self, obj) -> None:  # blocks until there is room, as Whoosh expects
        while True:
            with _stop_signals_held():
                try:
                    super().put(obj, timeout=_PUT_WAIT)
                    return
                except Full:
                    pass

    def close(self):
        with _stop_signals_held():
            super().close()


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class ParallelWriter(MpWriter):
    """``MpWriter`` whose children die with the parent and whose failures are not lost, all
    forked while the process has a single thread.

    Whoosh forks a child for each of its first batches of documents, but its job queue
    starts a feeder thread with the first batch it sends: the second fork then copies a
    process with two threads, whose locks the child could find held for ever (Python 3.12+
    warns of it). Here every child is forked before the first batch is sent, and the queues'
    threads are ended when the writer is done.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobqueue = _JobQueue(self.procs * 4)

    def _new_task(self):
        while len(self.tasks) < self.procs:
            self._fork_child()
        return self.tasks[-1]

    def _fork_child(self) -> None:
        task = _Child(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        task._parent_pid = os.getpid()
        self.tasks.append(task)
        with _stop_signals_held():
            task.start()

    def _stop_children(self) -> None:
        """End the children: an interrupted commit leaves them writing results nobody reads
        (a child then waits for ever to flush them, and the parent's exit waits for it)."""
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
        for task in self.tasks:
            task.join(timeout=5)

    def _end_queues(self) -> None:
        for queue in (self.jobqueue, self.resultqueue):
            queue.close()
            queue.join_thread()

    def _commit_toc(self, segments):
        failed = [task.exitcode for task in self.tasks if task.exitcode]
        if failed:
            code = failed[0]
            if 0 < code < _FAILED and code in errno.errorcode:
                raise OSError(code, os.strerror(code))
            raise OSError(errno.EIO, f"an indexing process failed (exit status {code})")
        super()._commit_toc(segments)

    def commit(self, *args, **kwargs):
        try:
            super().commit(*args, **kwargs)
        except BaseException:
            self._stop_children()
            raise
        finally:
            self._end_queues()

    def cancel(self):
        self._stop_children()
        try:
            super().cancel()
        finally:
            self._end_queues()
