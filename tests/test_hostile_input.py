"""Hostile and malformed input: never a crash, never a hang, never a lost finding.

Every hostile file is placed next to a real manifest (``real.yaml``, a 3-replica
Deployment without a PodDisruptionBudget: EKS406 on its ``kind:`` line). The scan must
still report that finding, exit 1, print nothing on stderr, and report the hostile
file itself exactly as expected (an EKS001 at the line and column where reading
failed, or nothing when the file is valid YAML that simply is not a manifest).

End-to-end cases run the real CLI in a subprocess (``EKSGUARD_DEBUG=1`` is inherited
from conftest, so a crashing rule shows up as a traceback). ``time`` is used only as a
hang guard, with generous bounds.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from eksguard.engine.runner import scan
from clirun import eksguard

REAL = b"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
"""
REAL_FINDING = ("real.yaml", 2, 1, "EKS406")

FINDING = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>EKS\d{3}) ")


def run_cli(args: list[str], cwd: Path, stdin: bytes | None = None, timeout: float = 120):
    return eksguard(*args, cwd=cwd, stdin=stdin if stdin is not None else b"", timeout=timeout,
                    env={"EKSGUARD_DEBUG": "1"})


def findings(stdout: bytes) -> set[tuple[str, int, int, str]]:
    """``(path, line, column, code)`` of every finding line of the text report."""
    out = set()
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        match = FINDING.match(line)
        if match:
            out.add((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return out


def assert_clean_run(proc, expected_rc: int = 1) -> None:
    stderr = proc.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr, stderr
    assert stderr.strip() == "", stderr
    assert proc.returncode == expected_rc, (proc.returncode, proc.stdout.decode(errors="replace"), stderr)


def alias_bomb() -> bytes:
    """Billion laughs: nine levels of nine aliases, 9**9 strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return ("\n".join(lines) + "\n").encode()


def nested_flow(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth + b"\n"


# (file name, content, EKS001 positions expected in that file; ``None`` = any position
# inside the file, for limits whose exact crossing point is an implementation detail)
CASES = [
    pytest.param("garbage.yaml", b"this: is: not: yaml: [\n", {(1, 9)}, id="garbage"),
    pytest.param(
        "garbage-text.yaml",
        b"Release notes\n=============\n\n* fixed: the `deploy` step: now waits\n\t- tabbed: item\n",
        {(4, 8)},
        id="garbage-prose",
    ),
    pytest.param("empty.yaml", b"", set(), id="empty"),
    pytest.param("whitespace.yml", b"\n\n   \n# only a comment\n---\n", set(), id="whitespace-and-comments"),
    pytest.param(
        "logo.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
        {(3, 1)},
        id="binary-png-named-yaml",
    ),
    pytest.param(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
        {(4, 12)},
        id="invalid-utf8",
    ),
    pytest.param("bomb.yaml", alias_bomb(), {None}, id="alias-bomb"),
    pytest.param("deep.yaml", nested_flow(20_000), {(1, 1001)}, id="nested-flow-20000"),
    pytest.param("scalar.yaml", b"just a scalar, not a manifest\n", set(), id="top-level-scalar"),
    pytest.param("list.yaml", b"- apiVersion: v1\n- kind: Service\n- 3\n", set(), id="top-level-list"),
    pytest.param(
        "mixed-docs.yaml",
        b"--- plain scalar\n--- [1, 2]\n--- null\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n",
        set(),
        id="scalar-list-null-documents",
    ),
    pytest.param(
        "annotations-list.yaml",
        b"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n"
        b"  annotations:\n    - alb.ingress.kubernetes.io/group.name: shared\nspec:\n  ingressClassName: alb\n"
        b"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations: [a, b]\n  labels: \"x\"\n"
        b"spec:\n  type: LoadBalancer\n  selector: [app]\n",
        set(),
        id="annotations-as-list",
    ),
    pytest.param(
        "unknown-alias.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x, self: *m}\n",
        {(3, 30)},
        id="alias-to-unfinished-anchor",
    ),
]


@pytest.mark.parametrize("name,content,expected", CASES)
def test_hostile_file_next_to_real_manifest(tmp_path, name, content, expected):
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / name).write_bytes(content)
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert time.monotonic() - started < 60, "hang guard"
    assert_clean_run(proc, expected_rc=1)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    eks001 = {(line, col) for path, line, col, code in got if path == name and code == "EKS001"}
    if expected == {None}:
        assert len(eks001) == 1, got
    else:
        assert eks001 == expected, got


@pytest.mark.parametrize("name,content,expected", CASES)
def test_hostile_stdin_same_positions_as_file(tmp_path, plugins, name, content, expected):
    """``scan -`` reports the same EKS001 positions as the file (unit level: runner.scan)."""
    (tmp_path / name).write_bytes(content)
    from_file = scan([name], plugins, cwd=tmp_path)
    from_stdin = scan(["-"], plugins, cwd=tmp_path, stdin=content)

    def positions(result):
        return {(f.location.line, f.location.column) for f in result.findings if f.code == "EKS001"}

    assert positions(from_file) == positions(from_stdin)
    assert all(f.location.path == "<stdin>" for f in from_stdin.findings)


def test_replicas_as_string_is_not_a_number(tmp_path):
    """``replicas: "3"`` is not 3 (the API server rejects it): no crash, no EKS406 for it."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "string-replicas.yaml").write_bytes(
        b'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\n'
        b'spec:\n  replicas: "3"\n  template: {metadata: {labels: [not, a, map]}}\n'
        b"---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\n"
        b"spec: {replicas: three}\n"
    )
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert not {f for f in got if f[0] == "string-replicas.yaml"}, got


def test_nested_flow_200000_refused_fast(tmp_path):
    """200,000 ``[`` would take libyaml minutes (and a recursive composer would segfault)."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "deep.yaml").write_bytes(nested_flow(200_000))
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"took {elapsed:.1f}s"
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert ("deep.yaml", 1, 1001, "EKS001") in got


def test_broken_yaml_with_a_long_run_of_blanks_is_reported_fast(tmp_path):
    """The unrendered-template test on a broken file once backtracked over leading blanks:
    a 300,000-space line took hours. Now it is linear (the hang guard is the timeout)."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "spaces.yaml").write_bytes(b"a: b: c\n" + b" " * 300_000 + b"x: {{ y\n")
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=60)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert ("spaces.yaml", 1, 5, "EKS001") in got or ("spaces.yaml", 1, 5, "EKS002") in got, got


def test_nested_block_and_mapping_refused(tmp_path):
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "block.yaml").write_bytes(b"- " * 200_000 + b"x\n")
    (tmp_path / "map.yaml").write_bytes(b"{a: " * 200_000 + b"1" + b"}" * 200_000 + b"\n")
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=60)
    assert time.monotonic() - started < 20
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert {(p, c) for p, _, _, c in got if c == "EKS001"} == {("block.yaml", "EKS001"), ("map.yaml", "EKS001")}


def test_python_object_tag_is_never_constructed(tmp_path):
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "pwn.yaml").write_bytes(b'!!python/object/apply:os.system ["touch PWNED"]\n')
    (tmp_path / "pwn-inside.yaml").write_bytes(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        b'  name: !!python/object/apply:os.system ["touch PWNED2"]\n'
        b"data:\n  x: !!python/object/new:subprocess.check_output [[touch, PWNED3]]\n"
        b"---\n!!python/name:os.system\n"
    )
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    assert REAL_FINDING in findings(proc.stdout)
    for name in ("PWNED", "PWNED2", "PWNED3"):
        assert not (tmp_path / name).exists(), f"{name} was created: a YAML tag was executed"


def test_bom_and_crlf_keep_exact_positions(tmp_path):
    """A UTF-8 BOM and Windows line endings shift neither lines nor columns."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    text = (
        "# Exported from a Windows editor\n"      # 1
        "---\n"                                    # 2
        "apiVersion: apps/v1\n"                    # 3
        "kind: Deployment\n"                       # 4  <- EKS406
        "metadata:\n"                              # 5
        "  name: bom\n"                            # 6
        "  namespace: shop\n"                      # 7
        "spec:\n"                                  # 8
        "  replicas: 2\n"                          # 9
        "---\n"                                    # 10
        "apiVersion: networking.k8s.io/v1\n"       # 11
        "kind: Ingress\n"                          # 12
        "metadata:\n"                              # 13
        "  name: web\n"                            # 14
        "  namespace: shop\n"                      # 15
        "  annotations:\n"                         # 16
        "    alb.ingress.kubernetes.io/group.name: shared\n"       # 17
        "    alb.ingress.kubernetes.io/target-type: instance\n"    # 18 <- EKS602 (col 5)
        "spec:\n"                                  # 19
        "  ingressClassName: alb\n"                # 20
    )
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    (tmp_path / "windows.yaml").write_bytes(data)
    (tmp_path / "windows-broken.yaml").write_bytes(b"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\ndata: : x\r\n")
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert {f for f in got if f[0] == "windows.yaml"} == {
        ("windows.yaml", 4, 1, "EKS406"),
        ("windows.yaml", 18, 5, "EKS602"),
    }
    assert {f for f in got if f[0] == "windows-broken.yaml"} == {("windows-broken.yaml", 3, 7, "EKS001")}
    # the same bytes on stdin give the same positions
    piped = run_cli(["scan", "--color", "never", "-"], tmp_path, stdin=data)
    assert_clean_run(piped)
    assert findings(piped.stdout) == {("<stdin>", 4, 1, "EKS406"), ("<stdin>", 18, 5, "EKS602")}


def test_duplicate_keys_are_reported(tmp_path):
    """A duplicated key is not valid YAML (keys are unique) and tools disagree on which
    value wins (the API server's strict field validation rejects it): EKS001 on the
    second occurrence, and the rest of the scan goes on."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "dup.yaml").write_bytes(
        b"apiVersion: apps/v1\n"        # 1
        b"kind: Deployment\n"           # 2
        b"metadata:\n"                  # 3
        b"  name: api\n"                # 4
        b"  namespace: shop\n"          # 5
        b"spec:\n"                      # 6
        b"  replicas: 1\n"              # 7
        b"  replicas: 5\n"              # 8  <- duplicate
    )
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert ("dup.yaml", 8, 3, "EKS001") in got, got


def test_go_templates_inside_rendered_output_are_data(tmp_path):
    """Rendered Helm output (``# Source:``) often carries Go templates as data: Alertmanager
    notification templates in a ConfigMap. The file is valid, rendered YAML: its objects
    must be checked, not set aside as an unrendered chart."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "monitoring.yaml").write_bytes(
        b"---\n"                                                          # 1
        b"# Source: monitoring/templates/alertmanager-templates.yaml\n"   # 2
        b"apiVersion: v1\n"                                               # 3
        b"kind: ConfigMap\n"                                              # 4
        b"metadata:\n"                                                    # 5
        b"  name: alertmanager-templates\n"                               # 6
        b"  namespace: monitoring\n"                                      # 7
        b"data:\n"                                                        # 8
        b"  slack.tmpl: |\n"                                              # 9
        b'    {{ define "slack.text" }}{{ range .Alerts }}{{ .Annotations.summary }}\n'  # 10
        b"    {{ end }}{{ end }}\n"                                       # 11
        b"---\n"                                                          # 12
        b"# Source: monitoring/templates/proxy.yaml\n"                    # 13
        b"apiVersion: apps/v1\n"                                          # 14
        b"kind: Deployment\n"                                             # 15 <- EKS406
        b"metadata:\n"                                                    # 16
        b"  name: alertmanager-proxy\n"                                   # 17
        b"  namespace: monitoring\n"                                      # 18
        b"spec:\n"                                                        # 19
        b"  replicas: 3\n"                                                # 20
    )
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert {f for f in got if f[0] == "monitoring.yaml"} == {("monitoring.yaml", 15, 1, "EKS406")}


def test_everything_hostile_at_once(tmp_path):
    """All of the above in one folder: one scan, every real finding, no crash."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    for param in CASES:
        name, content, _ = param.values
        (tmp_path / name).write_bytes(content)
    (tmp_path / "deep200k.yaml").write_bytes(nested_flow(200_000))
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=60)
    assert time.monotonic() - started < 30
    assert_clean_run(proc)
    assert REAL_FINDING in findings(proc.stdout)
