"""Safety limits (eksguard/limits.py): each refuses its input with one EKS001 that names
the limit and how to raise it, the scan goes on with the file beside it, and raising the
limit in ``.eksguard.yaml`` lets the same input through.

Every case runs the real CLI (``tests/clirun.py``) in a folder holding the input and
``real.yaml`` (a Deployment without a PodDisruptionBudget: EKS406 on line 2).
"""

from __future__ import annotations

import re
import time

import pytest

from clirun import eksguard
from eksguard.limits import DEFAULT, Limits, parse_size, show_size

REAL = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: real
  namespace: shop
spec:
  replicas: 3
"""
FINDING = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>EKS\d{3}) (?:\[\*\] )?\[\w+\] (?P<message>.*)$")


def deployment(name: str, padding: str = "") -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\n"
            f"  annotations: {{note: \"{padding}\"}}\nspec:\n  replicas: 3\n")


def run(tmp_path, limits: dict | None = None, *extra: str):
    (tmp_path / "real.yaml").write_text(REAL)
    config = tmp_path / ".eksguard.yaml"
    if limits:
        config.write_text("limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items()))
    elif config.exists():
        config.unlink()
    proc = eksguard("scan", "--color", "never", ".", *extra, cwd=tmp_path, timeout=120,
                    env={"EKSGUARD_DEBUG": "1"})
    assert "Traceback" not in proc.stderr and proc.stderr.strip() == "", proc.stderr
    assert proc.returncode == 1, (proc.returncode, proc.stdout)
    found = [m.groupdict() for m in map(FINDING.match, proc.stdout.splitlines()) if m]
    assert ("real.yaml", "2", "EKS406") in {(f["path"], f["line"], f["code"]) for f in found}, proc.stdout
    return found


def problems(found, path: str) -> list[tuple[int, int, str]]:
    return [(int(f["line"]), int(f["col"]), f["message"]) for f in found if f["path"] == path and f["code"] == "EKS001"]


def codes(found, path: str) -> set[str]:
    return {f["code"] for f in found if f["path"] == path}


def refused_then_allowed(tmp_path, name: str, key: str, low, high, where: tuple[int, int] | None = None,
                         allowed_code: str = "EKS406") -> str:
    """Refused under ``key: low`` (one EKS001 naming the key), read under ``key: high``."""
    found = run(tmp_path, {key: low})
    [(line, column, message)] = problems(found, name)
    assert f"raise limits.{key} in .eksguard.yaml" in message, message
    if where is not None:
        assert (line, column) == where
    found = run(tmp_path, {key: high})
    assert problems(found, name) == []
    assert allowed_code in codes(found, name), found
    return message


def test_file_size(tmp_path):
    (tmp_path / "web.yaml").write_text(deployment("web", "x" * 3000))
    message = refused_then_allowed(tmp_path, "web.yaml", "max-file-size", "2KiB", "4KiB", (1, 1))
    assert message == "file is 3.0 KiB, over the 2 KiB limit (raise limits.max-file-size in .eksguard.yaml)"


def test_file_size_default_is_10_mib(tmp_path):
    (tmp_path / "big.yaml").write_text(deployment("big") + "# padding\n" * (1_100_000))
    [(line, column, message)] = problems(run(tmp_path), "big.yaml")
    assert (line, column) == (1, 1) and message.startswith("file is 10.5 MiB, over the 10 MiB limit")


def test_standard_input_size(tmp_path):
    proc = eksguard("scan", "-", cwd=tmp_path, stdin=deployment("web", "x" * 3000))
    assert proc.returncode == 1 and "EKS406" in proc.stdout
    (tmp_path / ".eksguard.yaml").write_text("limits: {max-file-size: 1KiB}\n")
    proc = eksguard("scan", "-", cwd=tmp_path, stdin=deployment("web", "x" * 3000))
    assert proc.returncode == 1 and "EKS406" not in proc.stdout
    assert "input is 3.0 KiB, over the 1 KiB limit (raise limits.max-file-size" in proc.stdout


def test_line_length(tmp_path):
    (tmp_path / "web.yaml").write_text(deployment("web", "x" * 300))
    refused_then_allowed(tmp_path, "web.yaml", "max-line-length", 200, 400, (6, 201))


def test_minified_json_is_bounded_by_size_only(tmp_path):
    """``terraform show -json`` and minified manifests are one line: only the size counts."""
    value = "x" * (1_200_000)
    (tmp_path / "web.json").write_text('{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "j", '
                                       '"namespace": "shop", "annotations": {"a": "' + value + '"}}, '
                                       '"spec": {"replicas": 3}}')
    found = run(tmp_path)
    assert problems(found, "web.json") == [] and "EKS406" in codes(found, "web.json")


def test_minified_50_mb_line_is_refused_fast(tmp_path):
    """With the size limit raised, a 50 MB single line is refused by its length, unparsed."""
    (tmp_path / "min.yaml").write_bytes(b"a: [" + b"x, " * 16_700_000 + b"x]\n")
    started = time.monotonic()
    found = run(tmp_path, {"max-file-size": "64MiB"})
    assert time.monotonic() - started < 20
    [(line, column, message)] = problems(found, "min.yaml")
    assert (line, column) == (1, 1024 * 1024 + 1) and "1 MiB, the line length limit (raise limits.max-line-length" in message


def test_nesting(tmp_path):
    (tmp_path / "web.yaml").write_text(deployment("web") + "  template: {a: [[[[[[[[[[1]]]]]]]]]]}\n")
    message = refused_then_allowed(tmp_path, "web.yaml", "max-nesting", 8, 20)
    assert message.startswith("nesting deeper than 8 levels")


def test_nesting_past_libyaml_says_it_cannot_be_raised(tmp_path):
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 1500 + "]" * 1500 + "\n")
    [(line, _, message)] = problems(run(tmp_path, {"max-nesting": 1000}), "deep.yaml")
    assert line == 1 and message == "nesting deeper than 1000 levels (the most libyaml reads; limits.max-nesting cannot raise it)"


def test_nodes_and_aliases(tmp_path):
    (tmp_path / "web.yaml").write_text(
        "x-items: &items [" + ", ".join(["a"] * 50) + "]\n"
        "x-more: &more [" + ", ".join(["*items"] * 20) + "]\n---\n" + deployment("web"))
    message = refused_then_allowed(tmp_path, "web.yaml", "max-nodes", 500, 5000, (2, 88))
    assert "through aliases, an alias bomb?" in message


def test_documents(tmp_path):
    (tmp_path / "many.yaml").write_text("---\n".join(deployment(f"d{i}") for i in range(12)))
    refused_then_allowed(tmp_path, "many.yaml", "max-documents", 10, 12)


def test_terraform_file_size(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_eks_addon" "a" {\n  addon_name = "coredns"\n'
                                      '  resolve_conflicts_on_update = "OVERWRITE"\n}\n' + "# pad\n" * 400)
    refused_then_allowed(tmp_path, "main.tf", "max-terraform-file-size", "1KiB", "4KiB", (1, 1),
                         allowed_code="EKS501")


def test_terraform_nesting(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_eks_addon" "a" {\n  addon_name = "coredns"\n'
                                      '  resolve_conflicts_on_update = "OVERWRITE"\n'
                                      '  tags = {a = [[[[[[[[[[[[1]]]]]]]]]]]]}\n}\n')
    refused_then_allowed(tmp_path, "main.tf", "max-terraform-nesting", 10, 64, allowed_code="EKS501")


def test_terraform_heredoc_size(tmp_path):
    padding = "".join(f"    # comment {i:04d} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" for i in range(60))
    (tmp_path / "main.tf").write_text(
        'resource "kubectl_manifest" "web" {\n  yaml_body = <<-YAML\n' + padding
        + "".join("    " + line + "\n" for line in deployment("tf").splitlines()) + "  YAML\n}\n")
    message = refused_then_allowed(tmp_path, "main.tf", "max-heredoc-size", "1KiB", "8KiB", (2, 3))
    assert "over the 1 KiB limit: not read" in message


def test_render_timeout_message_and_precedence():
    from eksguard.adapters.render import RenderFailed, run_bounded, timeout_of

    assert timeout_of({}) == 60
    assert timeout_of({"limits": Limits(render_timeout=5)}) == 5
    assert timeout_of({"limits": Limits(render_timeout=5), "render_timeout": 2}) == 2  # the flag wins
    assert timeout_of({"limits": Limits(render_timeout=5), "render_timeout": None}) == 5
    with pytest.raises(RenderFailed, match=r"longer than 0.2 s .*limits.render-timeout in .eksguard.yaml"):
        run_bounded(["sleep", "5"], timeout=0.2)


def test_render_timeout_reaches_the_scan_options(tmp_path):
    from eksguard.cli import build_parser, scan_options
    from eksguard.config import load_config

    (tmp_path / ".eksguard.yaml").write_text("limits:\n  render-timeout: 7\n  max-line-length: 2MiB\n")
    for argv, expected in ((["scan", str(tmp_path)], None), (["scan", str(tmp_path), "--render-timeout", "3"], 3)):
        args = build_parser().parse_args(argv)
        args.effective_config = load_config(args, tmp_path)
        options = scan_options(args, tmp_path)
        assert options["render_timeout"] == expected
        assert options["limits"] == Limits(render_timeout=7.0, max_line_length=2 * 1024 * 1024)


@pytest.mark.parametrize("text,error", [
    ("limits: {max-file-size: 0}", "limits.max-file-size: expected a size: bytes (4194304) or a number with a unit"),
    ("limits: {max-file-size: 10 parsecs}", 'got "10 parsecs"'),
    ("limits: {max-nesting: 2000}", "limits.max-nesting: expected at most 1000, got 2000"),
    ("limits: {render-timeout: 0}", "limits.render-timeout: expected more than 0, got 0"),
    ("limits: {max-filesize: 1}", "limits.max-filesize: unknown key; did you mean 'max-file-size'?"),
    ("limits: [max-file-size]", "limits: expected a mapping of limits"),
])
def test_bad_limits_are_config_errors(tmp_path, text, error):
    (tmp_path / ".eksguard.yaml").write_text(text + "\n")
    proc = eksguard("scan", ".", cwd=tmp_path)
    assert proc.returncode == 2 and error in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_config_show_lists_limits(tmp_path):
    (tmp_path / ".eksguard.yaml").write_text("limits:\n  max-file-size: 32MiB\n")
    proc = eksguard("config", cwd=tmp_path)
    assert "limits:\n  max-file-size: 32MiB" in proc.stdout and "# .eksguard.yaml" in proc.stdout


def test_sizes():
    assert [parse_size(v) for v in (4096, "4KiB", "4 kib", "4KB", "2MiB", "1GiB", "7")] == [
        4096, 4096, 4096, 4000, 2 * 1024 * 1024, 1024**3, 7]
    assert [show_size(v) for v in (1024 * 1024, 1536, 100, 1024**3)] == ["1 MiB", "1536 bytes", "100 bytes", "1 GiB"]
    assert DEFAULT.with_config({"max-file-size": "1MiB", "render-timeout": 5}) == Limits(
        max_file_size=1024 * 1024, render_timeout=5.0)


def test_long_line_finder():
    from eksguard.adapters.source import long_line

    assert long_line(b"", 3) is None
    assert long_line(b"abc\nabc\nabc", 3) is None
    assert long_line(b"abc\nabcd\nab", 3) == 7  # the 4th byte of line 2
    assert long_line(b"abcd", 3) == 3
    assert long_line(b"a\n" * 1000 + b"x" * 10, 9) == 2009
    assert long_line(b"\n" * 10 + b"y" * 5 + b"\n", 5) is None


def test_read_bounded_reads_what_is_there_and_one_past_the_limit(tmp_path):
    """read_bounded: never more than limit + 1 bytes, whatever the file or pipe says."""
    import os
    import threading

    from eksguard.limits import read_bounded

    small = tmp_path / "small"
    small.write_bytes(b"x" * 10)
    with open(small, "rb") as handle:
        assert read_bounded(handle, 100) == b"x" * 10
    with open(small, "rb") as handle:
        assert read_bounded(handle, 10) == b"x" * 10  # at the limit: not over it
    with open(small, "rb") as handle:
        assert read_bounded(handle, 4) == b"x" * 5  # over: one byte past tells so
    with open(small, "rb") as handle:  # grew since the caller's stat
        assert read_bounded(handle, 100, size=3) == b"x" * 10
    with open(small, "rb") as handle:
        assert read_bounded(handle, 6, size=3) == b"x" * 7
    read_end, write_end = os.pipe()  # no size at all
    writer = threading.Thread(target=lambda: (os.write(write_end, b"y" * 5000), os.close(write_end)))
    writer.start()
    with open(read_end, "rb") as handle:
        data = read_bounded(handle, 1000)
    writer.join()
    assert 1 <= len(data) <= 1001 and set(data) == {ord("y")}
