"""Running a renderer (``helm``, ``kubectl kustomize``) on untrusted input, bounded.

A renderer is the one program eksguard runs on a scanned repo, so it runs:

- with a time limit (``render_timeout`` in the scan options, 60 s by default) and an
  output limit (50 MiB, like a file); past either, the process group is killed;
- with no network: proxies point at a closed local port, git may use no transport,
  and no prompt can wait for a password;
- with an empty, throw-away home, Helm config/cache/data/plugins folder and kubeconfig,
  so the user's plugins, repositories, credentials and clusters are out of reach;
- with no standard input.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 60.0
MAX_OUTPUT = 50 * 1024 * 1024
_CLOSED_PORT = "http://127.0.0.1:9"
# What a renderer may still see of the caller's environment.
_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "HELM_C_LIB")


class RenderFailed(Exception):
    """The renderer could not be run to the end: timed out, too much output, not startable."""


@dataclass
class Completed:
    returncode: int
    stdout: bytes
    stderr: str


def timeout_of(options: dict) -> float:
    """``--render-timeout``, else ``limits.render-timeout`` of the config, else 60 s."""
    default = DEFAULT_TIMEOUT
    limits = options.get("limits")
    if limits is not None:
        default = getattr(limits, "render_timeout", DEFAULT_TIMEOUT)
    try:
        value = float(options.get("render_timeout") or default)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def sandbox_env(home: Path) -> dict[str, str]:
    """The environment a renderer runs with (see the module docstring)."""
    env = {key: os.environ[key] for key in _KEEP if key in os.environ}
    for name in ("plugins", "cache", "config", "data"):
        (home / name).mkdir(exist_ok=True)
    (home / "kubeconfig").write_text("")
    env.update(
        HOME=str(home),
        TMPDIR=str(home),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        HELM_PLUGINS=str(home / "plugins"),
        HELM_CACHE_HOME=str(home / "cache"),
        HELM_CONFIG_HOME=str(home / "config"),
        HELM_DATA_HOME=str(home / "data"),
        HELM_REPOSITORY_CONFIG=str(home / "config" / "repositories.yaml"),
        HELM_REGISTRY_CONFIG=str(home / "config" / "registry.json"),
        KUBECONFIG=str(home / "kubeconfig"),
        HTTP_PROXY=_CLOSED_PORT,
        HTTPS_PROXY=_CLOSED_PORT,
        ALL_PROXY=_CLOSED_PORT,
        http_proxy=_CLOSED_PORT,
        https_proxy=_CLOSED_PORT,
        all_proxy=_CLOSED_PORT,
        NO_PROXY="",
        no_proxy="",
        GIT_ALLOW_PROTOCOL="none",
        GIT_TERMINAL_PROMPT="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return env


def run_bounded(argv: list[str], *, timeout: float, cwd: Path | None = None, stdin: bytes | None = None,
                max_output: int = MAX_OUTPUT) -> Completed:
    """Run ``argv`` in the sandbox; raise :class:`RenderFailed` past the time or output limit."""
    with tempfile.TemporaryDirectory(prefix="eksguard-render-") as tmp:
        home = Path(tmp)
        out_path, err_path = home / "stdout", home / "stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=sandbox_env(home),
                    stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            except OSError as exc:
                raise RenderFailed(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
            try:
                if stdin is not None:
                    assert proc.stdin is not None
                    try:
                        proc.stdin.write(stdin)
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        proc.wait(timeout=0.02)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    if time.monotonic() > deadline:
                        raise RenderFailed(f"rendering took longer than {timeout:g} s and was stopped "
                                           f"(raise --render-timeout, or limits.render-timeout in .eksguard.yaml)")
                    if out_path.stat().st_size > max_output or err_path.stat().st_size > max_output:
                        raise RenderFailed(f"rendered output is over the {max_output / 1048576:.0f} MiB limit")
            finally:
                if proc.poll() is None:
                    _kill(proc)
        if out_path.stat().st_size > max_output:
            raise RenderFailed(f"rendered output is over the {max_output / 1048576:.0f} MiB limit")
        stderr = err_path.read_bytes()[-65536:].decode("utf-8", errors="replace")
        return Completed(proc.returncode, out_path.read_bytes(), stderr)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()
    proc.wait()
