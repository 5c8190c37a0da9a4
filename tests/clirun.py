"""Running the ``eksguard`` command as a user would, for the end-to-end tests.

One helper instead of one per test module: ``python -m eksguard ARGS`` in a subprocess,
output captured, ``NO_COLOR`` set. Text in and out, unless ``stdin`` is bytes (then bytes
out, for tests that feed binary input).
"""

from __future__ import annotations

import os
import subprocess
import sys


def eksguard(*args, cwd=None, stdin=None, env=None, timeout: float = 300) -> subprocess.CompletedProcess:
    binary = isinstance(stdin, bytes)
    return subprocess.run(
        [sys.executable, "-m", "eksguard", *args],
        cwd=cwd, input=stdin, capture_output=True, text=not binary, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
