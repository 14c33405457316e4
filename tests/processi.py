"""Pieces shared by the tests and scripts that start app processes of their own (`tests/worker/`,
`tests/drills/`, `bench/`): waiting for a condition, and a process in its own process group."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30, every: float = 0.05) -> None:
    fine = time.monotonic() + timeout
    while time.monotonic() < fine:
        if condition():
            return
        time.sleep(every)
    raise RuntimeError(f"dopo {timeout} s: {what}")


class GruppoDiProcessi:
    """A process started with `start_new_session=True`, its output in `log`: `stop` is a warm
    shutdown, `kill` is kill -9 of the whole group (a worker and its pool)."""

    log: Path
    proc: subprocess.Popen | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        # prefork children left behind by a kill of the parent alone
        with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # type: ignore[union-attr]
