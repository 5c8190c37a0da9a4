"""Hostile input beyond YAML manifests: Terraform, scripts, JSON, symlinks, templates and a
25 MB file. The companion of ``test_hostile_input.py`` (same helpers, same contract):
every case runs the real CLI next to ``real.yaml`` (EKS406 on line 2), and must exit 1
with no traceback and nothing on stderr, report the hostile file exactly as expected,
and still report the real finding. ``time`` is only a hang guard, with generous bounds.
"""

from __future__ import annotations

import os
import resource
import time

import pytest

from test_hostile_input import REAL, REAL_FINDING, assert_clean_run, findings, run_cli

ADDON = b'resource "aws_eks_addon" "a" {\n  addon_name = "coredns"\n  resolve_conflicts_on_update = "OVERWRITE"\n}\n'
SCRIPT = b"#!/bin/sh\naws eks update-addon --cluster-name c --addon-name coredns --resolve-conflicts OVERWRITE\n"


def nested(open_: str, close: str, depth: int) -> bytes:
    return (open_ * depth + close * depth).encode()


# (file name, content, expected findings in that file as {(line, column, code)};
#  (None, None, code) = exactly one finding of that code, anywhere in the file)
CASES = [
    pytest.param("deep-tuple.tf", b"locals {\n  x = " + nested("[", "]", 20_000) + b"\n}\n" + ADDON,
                 {(None, None, "EKS001"), (6, 3, "EKS501")}, id="tf-20000-nested-tuples"),
    pytest.param("deep-object.tf", b"locals {\n  x = " + nested("{a = ", "}", 20_000).replace(b"= }", b"= 1}", 1)
                 + b"\n}\n" + ADDON, {(None, None, "EKS001"), (6, 3, "EKS501")}, id="tf-20000-nested-objects"),
    pytest.param("deep-blocks.tf", ADDON + nested("a {\n", "}\n", 20_000), {(3, 3, "EKS501"), (None, None, "EKS001")},
                 id="tf-20000-nested-blocks"),
    pytest.param("deep-calls.tf", b"locals {\n  x = " + nested("f(", ")", 20_000) + b"\n}\n",
                 {(None, None, "EKS001")}, id="tf-20000-nested-calls"),
    pytest.param("binary.tf", b"\x7fELF\x02\x01\x01\x00\x00\x00resource", {(1, 8, "EKS001")}, id="tf-binary"),
    pytest.param("latin1.tf", b'# caf\xe9\n' + ADDON, {(1, 6, "EKS001")}, id="tf-invalid-utf8"),
    pytest.param("bom-crlf.tf", b"\xef\xbb\xbf" + ADDON.replace(b"\n", b"\r\n"), {(3, 3, "EKS501")},
                 id="tf-bom-crlf"),
    pytest.param("utf16.tf", ADDON.decode().encode("utf-16"), {(3, 3, "EKS501")}, id="tf-utf16"),
    pytest.param("empty.tf", b"", set(), id="tf-empty"),
    pytest.param("unbalanced.tf", b'resource "aws_eks_addon" "a" {{{{\n  addon_name = [\n', {(None, None, "EKS001")},
                 id="tf-unbalanced-braces"),
    pytest.param("heredoc.tf", b'resource "kubectl_manifest" "m" {\n  yaml_body = <<EOT\nkind: [\n', {(None, None, "EKS001")},
                 id="tf-unterminated-heredoc"),
    pytest.param("long-line.tf", b"locals {\n  x = \"" + b"a" * (1024 * 1024 + 10) + b"\"\n}\n",
                 {(2, 1024 * 1024 + 1, "EKS001")}, id="tf-2-mib-line"),
    pytest.param("binary.sh", b"\x7fELF\x02\x01\x01\x00\x00\x00" + SCRIPT, set(), id="sh-binary-skipped"),
    pytest.param("latin1.sh", b"#!/bin/sh\n# caf\xe9\n" + SCRIPT[10:], {(3, 80, "EKS501")}, id="sh-invalid-utf8"),
    pytest.param("bom-crlf.sh", b"\xef\xbb\xbf" + SCRIPT.replace(b"\n", b"\r\n"), {(2, 80, "EKS501")},
                 id="sh-bom-crlf"),
    pytest.param("long-line.sh", SCRIPT + b"echo " + b"A" * (2 * 1024 * 1024) + b"\n", set(), id="sh-2-mib-line-skipped"),
    pytest.param("quote.sh", b"#!/bin/sh\naws eks update-addon --addon-name 'coredns --resolve-conflicts OVERWRITE\n",
                 {(None, None, "EKS001")}, id="sh-unterminated-quote"),
    pytest.param("empty.sh", b"", set(), id="sh-empty"),
    pytest.param("deep.json", nested("[", "]", 20_000), {(1, 1001, "EKS001")}, id="json-20000-nested"),
    pytest.param("null.json", b"null", set(), id="json-null"),
    pytest.param("utf16.yaml", REAL.decode().replace("name: web", "name: u16").encode("utf-16"), {(2, 1, "EKS406")},
                 id="yaml-utf16"),
    pytest.param("nul.yml", b"apiVersion: v1\nkind: ConfigMap\x00\n", {(2, 16, "EKS001")}, id="yaml-nul-byte"),
    pytest.param("template.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
                 {(None, None, "EKS002")}, id="unrendered-helm-template"),
    pytest.param("template-block.yaml", b"{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\n{{- end }}\n",
                 {(None, None, "EKS002")}, id="unrendered-template-directive"),
    pytest.param("dupes.tf", b'locals {\n  a = 1\n  a = 2\n}\n', {(3, 3, "EKS001")}, id="tf-duplicate-attribute"),
]


@pytest.mark.parametrize("name,content,expected", CASES)
def test_hostile_file_next_to_real_manifest(tmp_path, name, content, expected):
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / name).write_bytes(content)
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=120)
    assert time.monotonic() - started < 60, "hang guard"
    assert_clean_run(proc, expected_rc=1)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    mine = sorted((line, col, code) for path, line, col, code in got if path == name)
    exact = {e for e in expected if e[0] is not None}
    anywhere = [e[2] for e in expected if e[0] is None]
    assert exact <= set(mine), mine
    rest = [code for line, col, code in mine if (line, col, code) not in exact]
    assert sorted(rest) == sorted(anywhere), mine


def test_symlink_loops_and_escapes_are_never_followed(tmp_path):
    """Links to a parent, to themselves, to nowhere and out of the tree: no hang, no
    finding from outside the scanned folder, the real finding still reported."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_bytes(REAL.replace(b"name: web", b"name: secret"))
    (outside / "main.tf").write_bytes(ADDON)
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (root / "real.yaml").write_bytes(REAL)
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "sub" / "self").symlink_to("self")
    (root / "loop-a.yaml").symlink_to("loop-b.yaml")
    (root / "loop-b.yaml").symlink_to("loop-a.yaml")
    (root / "dangling.yaml").symlink_to("does-not-exist.yaml")
    (root / "escape.yaml").symlink_to("../outside/secret.yaml")
    (root / "abs.tf").symlink_to(outside / "main.tf")
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "tf").mkdir()
    (root / "tf" / "main.tf").write_bytes(ADDON)
    (root / "tf" / "linked.tf").symlink_to(outside / "main.tf")  # a folder's context file, linked out
    proc = run_cli(["scan", "--color", "never", "."], root, timeout=60)
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    assert {path for path, *_ in got} == {"real.yaml", "tf/main.tf"}, got


def test_duplicate_keys_and_wrong_types_in_other_formats(tmp_path):
    """eksctl addons as a mapping, NodePool limits as a string, annotations as a list, a
    Terraform addon list where a string belongs: no crash, the real finding reported."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "eksctl.yaml").write_bytes(
        b"apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: eu-west-1, version: 1}\n"
        b"addons: {vpc-cni: {version: latest}}\naccessConfig: [API]\nmanagedNodeGroups: {ng: 1}\n"
        b"iam: {withOIDC: yes, podIdentityAssociations: 3}\n")
    (tmp_path / "nodepool.yaml").write_bytes(
        b"apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: p}\nspec:\n  limits: \"1000\"\n"
        b"  template: {spec: {requirements: {key: karpenter.sh/capacity-type}}}\n  disruption: [WhenEmpty]\n")
    (tmp_path / "main.tf").write_bytes(
        b'resource "aws_eks_addon" "a" {\n  addon_name = ["coredns"]\n  resolve_conflicts_on_update = {a = 1}\n'
        b'  configuration_values = 42\n}\n'
        b'resource "aws_eks_cluster" "c" {\n  name = {}\n  access_config = "API"\n  vpc_config = [1, 2]\n}\n')
    proc = run_cli(["scan", "--color", "never", "."], tmp_path)
    assert_clean_run(proc)
    assert REAL_FINDING in findings(proc.stdout)


def _many_documents(target: int) -> tuple[bytes, int]:
    """``target`` bytes of realistic multi-document YAML: one Deployment (EKS406) in ten,
    the others ConfigMaps holding a 4 KB configuration file."""
    blob = "".join(f"    line {j:03d}: " + "lorem ipsum dolor sit amet " * 3 + "\n" for j in range(40))
    out, size, i, deployments = [], 0, 0, 0
    while size < target:
        if i % 10 == 0:
            doc = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: shop\n"
                   f"spec:\n  replicas: 3\n  selector: {{matchLabels: {{app: web-{i}}}}}\n---\n")
            deployments += 1
        else:
            doc = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: shop\n"
                   f"data:\n  config.txt: |\n{blob}---\n")
        out.append(doc)
        size += len(doc)
        i += 1
    return "".join(out).encode(), deployments


def _child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def test_25_mb_multi_document_file(tmp_path):
    """Over the default 10 MiB: refused at once with the limit's message. Raised: read to
    the end in bounded time and memory, with every finding (measured on a 2-core CI box:
    about 5 s and 170 MB; the bounds leave room for slower machines)."""
    data, deployments = _many_documents(25_000_000)
    (tmp_path / "real.yaml").write_bytes(REAL)
    (tmp_path / "big.yaml").write_bytes(data)

    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "-q", "."], tmp_path, timeout=120)
    assert time.monotonic() - started < 30
    assert_clean_run(proc)
    got = findings(proc.stdout)
    assert REAL_FINDING in got
    big = [f for f in got if f[0] == "big.yaml"]
    assert big == [("big.yaml", 1, 1, "EKS001")]
    assert b"file is 23.8 MiB, over the 10 MiB limit (raise limits.max-file-size in .eksguard.yaml)" in proc.stdout

    (tmp_path / ".eksguard.yaml").write_text("limits:\n  max-file-size: 32MiB\n")
    started = time.monotonic()
    proc = run_cli(["scan", "--color", "never", "-q", "--statistics", "."], tmp_path, timeout=300)
    elapsed = time.monotonic() - started
    peak = _child_peak_mib()
    assert_clean_run(proc)
    assert proc.stdout.decode().split() == [str(deployments + 1), "EKS406", "warning", "workload-without-pdb"]
    assert elapsed < 120, f"{elapsed:.1f} s"
    assert peak < 1500, f"{peak:.0f} MiB"  # the largest child so far: this scan, or less
    if os.environ.get("EKSGUARD_MEASURE"):
        print(f"\n25 MB file: {elapsed:.1f} s, peak {peak:.0f} MiB")


def test_terraform_marks_along_one_long_line_stay_linear():
    """Columns count characters: each mark on a long non-ASCII line used to decode the
    line up to the node again (quadratic: minutes for a 1 MiB line of a 100k-item tuple)."""
    from eksguard.adapters.terraform import hcl

    text = 'locals {\n  x = [' + '"é", ' * 50_000 + '"end"]\n}\n'
    started = time.monotonic()
    parsed = hcl.parse_file(text)
    assert time.monotonic() - started < 10
    [block] = parsed.blocks
    value = block.body["x"]
    assert len(value) == 50_001
    line = text.splitlines()[1]
    assert value.item_mark(0) == (2, line.index('"é"') + 1)
    assert value.item_mark(-1) == (2, line.index('"end"') + 1)
    assert value.item_mark(1234) == (2, 8 + 1234 * 5)  # 5 characters (6 bytes) an item


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipes_with_manifest_names_never_block(tmp_path):
    """Opening a FIFO for reading waits for a writer forever: discovery leaves them out."""
    (tmp_path / "real.yaml").write_bytes(REAL)
    for name in ("pipe.yaml", "pipe.tf", "pipe.sh", "pipe.json"):
        os.mkfifo(tmp_path / name)
    proc = run_cli(["scan", "--color", "never", "."], tmp_path, timeout=60)
    assert_clean_run(proc)
    assert {f[0] for f in findings(proc.stdout)} == {"real.yaml"}
