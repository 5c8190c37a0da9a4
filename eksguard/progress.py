"""A one-line progress indicator on stderr for long scans, on a terminal only.

Nothing is drawn for the first second (a pre-commit run on one file never sees it),
then at most ten times a second; the line is cleared before the report is written, and
never reaches a file, a pipe or CI logs (the CLI creates one only when stderr is a TTY).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, delay: float = 1.0, interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.delay, self.interval = delay, interval
        self.started = time.monotonic()
        self.drawn = 0.0  # when the line was last drawn; 0: never

    def __call__(self, done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or now - self.drawn < self.interval:
            return
        import shutil  # here: progress is drawn on a terminal only

        width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
        what = "".join(c if c.isprintable() else "?" for c in what)  # a file name is not a command
        line = f"eksguard: reading {done}/{total} {what}"
        if len(line) > width:
            line = line[:width - 1] + "…"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self.drawn = now

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = 0.0
