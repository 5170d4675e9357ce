"""A real `mlpath` process driven through pipes, for the kill-safety and concurrency tests."""

from __future__ import annotations

import os
import signal
import queue
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

from conftest import mlpath_exe

# Printed once an answer is committed (mlpath/cli/prompts.py LineUI.feedback): the acknowledgement.
ACK = "saved; next review"


def env_for(home: Path, content: Path, now: datetime | None = None) -> dict[str, str]:
    """The environment for a child mlpath: this one without MLPATH_* settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    env.update(MLPATH_HOME=str(home), MLPATH_CONTENT=str(content))
    if now is not None:
        env["MLPATH_NOW"] = now.isoformat()
    return env


class QuizProcess:
    """A running mlpath with stdin and stdout pipes; stdout is read line by line on a thread as it arrives."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path):
        self.proc = subprocess.Popen([*mlpath_exe(), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=str(cwd), text=True, bufsize=1,
                                     encoding="utf-8", errors="replace")
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line)
        self._queue.put(None)

    @property
    def acks(self) -> int:
        return sum(ACK in line for line in self.lines)

    def send(self, text: str) -> bool:
        try:
            self.proc.stdin.write(text)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False  # the quiz already ended

    def _wait(self, done, what: str, timeout: float = 60.0) -> bool:
        """Read output until ``done()``; False if the output ended first."""
        deadline = time.monotonic() + timeout
        while not done():
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {what} within {timeout} s; output so far: {self.lines!r}") from None
            if line is None:
                self._queue.put(None)
                return False
            self.lines.append(line)
        return True

    def wait_for_ack(self, count: int) -> bool:
        """Wait until ``count`` answers in all were acknowledged."""
        return self._wait(lambda: self.acks >= count, f"acknowledgement {count}")

    def wait_for_question(self, number: int) -> bool:
        """Wait until question ``number`` is on screen (the process is waiting for its answer)."""
        return self._wait(lambda: any(line.startswith(f"[{number}/") for line in self.lines), f"question {number}")

    def kill(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self.finish()

    def finish(self, timeout: float = 30.0) -> tuple[int, str]:
        """Wait for the process, then collect the rest of stdout (all it printed before dying) and stderr."""
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        while True:
            line = self._queue.get_nowait() if not self._queue.empty() else None
            if line is None:
                break
            self.lines.append(line)
        return code, self.proc.stderr.read()


def _env(home: Path, content: Path, now: datetime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    env.update(MLPATH_HOME=str(home), MLPATH_CONTENT=str(content), MLPATH_NOW=now.isoformat())
    return env


