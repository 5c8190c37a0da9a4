"""Property tests: a fix changes what it means to change and nothing else.

Generated manifests (hypothesis) with comments, quoting styles, flow and block
collections, several documents and CRLF line ends are edited by the fix engine; the
result must parse, hold exactly the intended change, and keep every other line.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eksguard.engine.fix import yaml_edit
from eksguard.engine.fix.edits import apply_edits
from eksguard.yaml_loader import load_documents

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

keys = st.text(string.ascii_lowercase + "-", min_size=1, max_size=10).filter(lambda k: k[0].isalpha())
words = st.text(string.ascii_letters + string.digits + " -_.", min_size=1, max_size=14).map(str.strip).filter(
    lambda w: w and w[0].isalpha() and w.lower() not in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"})
comments = st.one_of(st.just(""), words.map(lambda w: f"  # {w}"))
quoting = st.sampled_from(["plain", "single", "double"])


def scalar(word: str, style: str) -> str:
    return {"plain": word, "single": f"'{word}'", "double": f'"{word}"'}[style]


@st.composite
def annotated_documents(draw):
    """``(text, index of the edited document, key edited, new value)``: a few Ingress-like
    documents, each with annotations written in block or flow style."""
    count = draw(st.integers(1, 3))
    docs, chosen = [], draw(st.integers(0, count - 1))
    target_key = "alb.ingress.kubernetes.io/target-type"
    for i in range(count):
        extra = draw(st.dictionaries(keys, words, max_size=3))
        annotations = {f"example.com/{k}": v for k, v in extra.items()}
        annotations[target_key] = "instance"
        flow = draw(st.booleans())
        lines = [draw(comments).strip() or "# generated", "apiVersion: networking.k8s.io/v1", "kind: Ingress",
                 "metadata:", f"  name: app-{i}{draw(comments)}"]
        if flow:
            body = ", ".join(f"{k}: {scalar(v, draw(quoting))}" for k, v in annotations.items())
            lines.append(f"  annotations: {{{body}}}")
        else:
            lines.append("  annotations:")
            for k, v in annotations.items():
                lines.append(f"    {k}: {scalar(v, draw(quoting))}{draw(comments)}")
        lines += ["spec:", "  ingressClassName: alb"]
        docs.append(lines)
    text = "\n---\n".join("\n".join(d) for d in docs) + "\n"
    return text, chosen, target_key


@SETTINGS
@given(annotated_documents(), st.sampled_from(["set", "add", "remove"]))
def test_yaml_edit_changes_only_the_intended_value(case, operation):
    text, index, key = case
    documents = load_documents(text)
    lines = text.split("\n")
    starts = [d.line for d in documents]
    first, last = yaml_edit.document_span(lines, starts, index)
    if operation == "set":
        ops, path, expect = [(yaml_edit.set_key, ("metadata", "annotations", key), "ip")], key, "ip"
    elif operation == "add":
        path = "alb.ingress.kubernetes.io/group.name"
        ops, expect = [(yaml_edit.set_key, ("metadata", "annotations", path), "shared")], "shared"
    else:
        ops, path, expect = [(yaml_edit.remove_key, ("metadata", "annotations", key), None)], key, None
    edits = yaml_edit.edit_region(lines[first - 1:last], first, "", ops)
    fixed = apply_edits(text, edits)

    after = load_documents(fixed)
    assert len(after) == len(documents)
    for i, (old, new) in enumerate(zip(documents, after)):
        if i != index:
            assert new.value == old.value
            continue
        want = dict(old.value["metadata"]["annotations"])
        if expect is None:
            want.pop(path)
        else:
            want[path] = expect
        # a mapping emptied by a removal goes with it (no `annotations: {}` left behind)
        assert new.value["metadata"].get("annotations", {}) == want
        assert ("annotations" in new.value["metadata"]) == bool(want)
        assert {k: v for k, v in new.value.items() if k != "metadata"} == \
               {k: v for k, v in old.value.items() if k != "metadata"}
    # every line outside the edits is kept as written
    touched = {line for e in edits for line in range(e.start[0], max(e.end[0], e.start[0] + 1))}
    kept = [ln for n, ln in enumerate(text.split("\n"), start=1) if n not in touched]
    assert all(ln in fixed.split("\n") for ln in kept)


@st.composite
def eksctl_addons(draw):
    """An eksctl ClusterConfig with add-ons in mixed styles and conflict policies."""
    lines = ["apiVersion: eksctl.io/v1alpha5", "kind: ClusterConfig", "metadata:", "  name: gen",
             "  region: eu-west-1", "addons:"]
    policies = []
    for i in range(draw(st.integers(1, 5))):
        policy = draw(st.sampled_from(["overwrite", "OVERWRITE", "preserve", "none", "Overwrite"]))
        quoted = scalar(policy, draw(quoting))
        policies.append(policy)
        if draw(st.booleans()):
            lines.append(f"  - {{name: addon-{i}, resolveConflicts: {quoted}}}{draw(comments)}")
        else:
            lines += [f"  - name: addon-{i}{draw(comments)}", f"    resolveConflicts: {quoted}{draw(comments)}"]
    crlf = draw(st.booleans())
    return "\n".join(lines) + "\n", policies, crlf


@SETTINGS
@given(eksctl_addons())
def test_addon_fix_changes_only_overwrite_policies(tmp_path_factory, plugins, rules, case):
    from test_fixes import fix_in_place

    text, policies, crlf = case
    folder = tmp_path_factory.mktemp("gen")
    path = folder / "cluster.yaml"
    path.write_bytes(text.replace("\n", "\r\n").encode() if crlf else text.encode())
    fix_in_place(["cluster.yaml"], plugins, rules, folder, unsafe=False)
    data = path.read_bytes()
    assert (b"\r\n" in data) == crlf and data.count(b"\n") == text.count("\n")
    fixed = data.decode().replace("\r\n", "\n")
    got = [a.get("resolveConflicts") for a in load_documents(fixed)[0].value["addons"]]
    want = []
    for policy in policies:
        if policy.upper() != "OVERWRITE":
            want.append(policy)
        else:
            want.append("preserve" if policy.islower() else "PRESERVE" if policy.isupper() else "PRESERVE")
    assert got == want
    changed = [(a, b) for a, b in zip(text.split("\n"), fixed.split("\n")) if a != b]
    assert len(changed) == sum(p.upper() == "OVERWRITE" for p in policies)
