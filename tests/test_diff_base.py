"""``scan --diff-base REF`` end to end, on real temporary git repositories.

Which findings a change is responsible for (changed lines, related locations, touched
objects, deletions, renames, untracked files), EKS504 against REF's files, shallow CI
checkouts (with and without a merge base), and the one-line errors.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from renderers import helm_engine, require

from eksguard.engine.diffbase import Changes, parse_diff, unquote
from clirun import eksguard as run_eksguard

FINDING = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>EKS\d{3}) ")
GIT = ["git", "-c", "user.name=eksguard tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def eksguard(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_eksguard("scan", "--color", "never", *args, cwd=cwd, stdin=stdin)


def found(proc) -> list[tuple[str, int, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(m["path"], int(m["line"]), m["code"]) for m in map(FINDING.match, proc.stdout.splitlines()) if m]


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def deployment(name: str, image: str = "nginx:1.27", replicas: int = 3) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: "{image}"}}]
"""


def pdb(selects: str) -> str:
    return f"""\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: {selects}}}}}
"""


def eksctl(version: str, name: str = "platform-prod") -> str:
    return f"""\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: {name}
  region: eu-west-1
  version: "{version}"
"""


@pytest.fixture
def repo(tmp_path):
    """A repository with ``main`` committed from ``files`` and ``feature`` checked out."""

    def make(files: dict[str, str], name: str = "repo") -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q")
        write(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "main")
        git(root, "checkout", "-q", "-b", "feature")
        return root

    return make


# -- which findings ---------------------------------------------------------------------
def test_only_findings_of_changed_objects(repo):
    root = repo({"k8s/apps.yaml": deployment("web") + "---\n" + deployment("api")})
    assert {code for _, _, code in found(eksguard(root, "."))} == {"EKS406"}
    (root / "k8s/apps.yaml").write_text(deployment("web") + "---\n" + deployment("api", image="nginx:1.28"))
    proc = eksguard(root, ".", "--diff-base", "main")
    assert proc.returncode == 1, proc.stderr
    assert found(proc) == [("k8s/apps.yaml", 15, "EKS406")]  # api (the second document), not web
    assert proc.stdout.splitlines()[-1] == (
        "Found 1 problem (1 warning) in 1 of 1 file (1 more on lines unchanged since main, not shown).")
    assert proc.stderr == ""


def test_nothing_changed_reports_nothing(repo):
    root = repo({"k8s/apps.yaml": deployment("web") + "---\n" + deployment("api")})
    proc = eksguard(root, ".", "--diff-base", "main")
    assert proc.returncode == 0
    assert proc.stdout == "No problems found in 1 file (2 on lines unchanged since main, not shown).\n"


def test_json_and_sarif_are_filtered_too(repo):
    root = repo({"a.yaml": deployment("web"), "b.yaml": deployment("api")})
    (root / "b.yaml").write_text(deployment("api", replicas=4))
    data = json.loads(eksguard(root, ".", "--diff-base", "main", "--format", "json").stdout)
    assert [(f["code"], f["location"]["path"]) for f in data["findings"]] == [("EKS406", "b.yaml")]
    sarif = json.loads(eksguard(root, ".", "--diff-base", "main", "--format", "sarif").stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["b.yaml"]


def test_cross_file_finding_whose_related_object_changed(repo):
    """The PodDisruptionBudget changed (pdb.yaml); the finding is on the untouched Deployment."""
    root = repo({"deployment.yaml": deployment("web"), "pdb.yaml": pdb("web")})
    assert found(eksguard(root, ".")) == []
    (root / "pdb.yaml").write_text(pdb("web-v2"))
    proc = eksguard(root, ".", "--diff-base", "main")
    assert found(proc) == [("deployment.yaml", 2, "EKS406")]
    assert re.search(r"^ += pdb\.yaml:2:1: PodDisruptionBudget web", proc.stdout, re.M)  # the related location


def test_deleted_line_touches_its_object(repo):
    ingress = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/group.name: shop
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""
    root = repo({"ingress.yaml": ingress, "other.yaml": deployment("api")})
    (root / "ingress.yaml").write_text(ingress.replace("    alb.ingress.kubernetes.io/group.name: shop\n", ""))
    assert found(eksguard(root, ".", "--diff-base", "main")) == [("ingress.yaml", 2, "EKS601")]


def test_untracked_files_count_as_changed(repo):
    root = repo({"old.yaml": deployment("web")})
    write(root, {"new/api.yaml": deployment("api")})
    assert found(eksguard(root, ".", "--diff-base", "main")) == [("new/api.yaml", 2, "EKS406")]


def test_paths_are_relative_to_the_working_directory(repo):
    root = repo({"k8s/a.yaml": deployment("web"), "k8s/b.yaml": deployment("api")})
    (root / "k8s/b.yaml").write_text(deployment("api", replicas=5))
    assert found(eksguard(root / "k8s", ".", "--diff-base", "main")) == [("b.yaml", 2, "EKS406")]
    assert found(eksguard(root, "k8s/b.yaml", "--diff-base", "main")) == [("k8s/b.yaml", 2, "EKS406")]


def test_standard_input_has_no_history_and_is_kept(repo):
    root = repo({"a.yaml": deployment("web")})
    assert found(eksguard(root, "-", "--diff-base", "main", stdin=deployment("api"))) == [("<stdin>", 2, "EKS406")]


def test_committed_changes_on_the_branch_count(repo):
    """Against the merge base: what the pull request holds, committed or not."""
    root = repo({"a.yaml": deployment("web"), "b.yaml": deployment("api")})
    (root / "b.yaml").write_text(deployment("api", replicas=5))
    git(root, "commit", "-q", "-am", "scale api")
    git(root, "checkout", "-q", "main")
    (root / "a.yaml").write_text(deployment("web", replicas=4))  # main moves on after the fork
    git(root, "commit", "-q", "-am", "scale web on main")
    git(root, "checkout", "-q", "feature")
    assert found(eksguard(root, ".", "--diff-base", "main")) == [("b.yaml", 2, "EKS406")]


@pytest.mark.skipif(sys.platform == "win32", reason="quoted paths")
def test_odd_file_names(repo):
    root = repo({"a b/ünï \"q\".yaml": deployment("web")})
    (root / "a b/ünï \"q\".yaml").write_text(deployment("web", replicas=4))
    assert found(eksguard(root, ".", "--diff-base", "main")) == [('a b/ünï "q".yaml', 2, "EKS406")]


def test_helm_values_change_touches_the_charts_objects(repo):
    require(helm_engine() is not None, "a Helm engine (helm or helm-python-sdk)")
    template = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"""
    root = repo({"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                 "chart/values.yaml": "replicas: 1\n", "chart/templates/deployment.yaml": template})
    assert found(eksguard(root, "chart", "--diff-base", "main")) == []
    (root / "chart/values.yaml").write_text("replicas: 3\n")
    assert found(eksguard(root, "chart", "--diff-base", "main")) == [("chart/templates/deployment.yaml", 2, "EKS406")]


# -- EKS504 against REF --------------------------------------------------------------------
@pytest.mark.parametrize("new, skipped", [("1.32", True), ("1.33", True), ("1.31", False), ("1.30", False)])
def test_eks504_eksctl(repo, new, skipped):
    root = repo({"infra/cluster.yaml": eksctl("1.30")})
    (root / "infra/cluster.yaml").write_text(eksctl(new))
    proc = eksguard(root, ".", "--diff-base", "main", "--fail-on", "error")
    assert (("infra/cluster.yaml", 6, "EKS504") in found(proc)) is skipped
    assert proc.returncode == (1 if skipped else 0), proc.stdout + proc.stderr
    if skipped:
        assert "EKS504 [error] EKS cluster platform-prod goes from Kubernetes 1.30 (at main) to " in proc.stdout
        assert "\n   = infra/cluster.yaml:6:3: Kubernetes 1.30 at main\n" in proc.stdout


def test_eks504_is_quiet_without_diff_base(repo):
    root = repo({"cluster.yaml": eksctl("1.30")})
    (root / "cluster.yaml").write_text(eksctl("1.33"))
    assert "EKS504" not in eksguard(root, ".").stdout


def test_eks504_terraform_and_scripts(repo):
    module = """\
module "eks" {{
  source             = "terraform-aws-modules/eks/aws"
  version            = "~> 21.0"
  name               = "platform"
  kubernetes_version = "{version}"
}}
"""
    script = "#!/bin/sh\naws eks update-cluster-version --name batch --kubernetes-version {version}\n"
    root = repo({"infra/main.tf": module.format(version="1.29"), "ops/upgrade.sh": script.format(version="1.30")})
    write(root, {"infra/main.tf": module.format(version="1.31"), "ops/upgrade.sh": script.format(version="1.32")})
    got = [f for f in found(eksguard(root, ".", "--diff-base", "main")) if f[2] == "EKS504"]
    assert got == [("infra/main.tf", 5, "EKS504"), ("ops/upgrade.sh", 2, "EKS504")]


def test_eks504_follows_renames_and_related_names_the_old_file(repo):
    root = repo({"infra/cluster.yaml": eksctl("1.30"), "infra/other.yaml": eksctl("1.30", name="staging")})
    (root / "infra/prod").mkdir()
    git(root, "mv", "infra/cluster.yaml", "infra/prod/eksctl.yaml")
    (root / "infra/prod/eksctl.yaml").write_text(eksctl("1.32"))
    proc = eksguard(root, "infra", "--diff-base", "main")
    assert ("infra/prod/eksctl.yaml", 6, "EKS504") in found(proc)
    assert "\n   = infra/cluster.yaml:6:3: Kubernetes 1.30 at main\n" in proc.stdout
    # only the new subfolder scanned: its old name is read from REF all the same
    assert ("prod/eksctl.yaml", 6, "EKS504") in found(eksguard(root / "infra", "prod", "--diff-base", "main"))


def test_eks504_other_cluster_names_are_other_clusters(repo):
    root = repo({"cluster.yaml": eksctl("1.29")})
    (root / "cluster.yaml").write_text(eksctl("1.32", name="platform-prod-blue"))
    assert "EKS504" not in eksguard(root, ".", "--diff-base", "main").stdout


def test_reading_ref_runs_nothing(repo, tmp_path):
    """REF's charts are not rendered and no git filter runs: only blobs are read."""
    marker = tmp_path / "ran"
    root = repo({"cluster.yaml": eksctl("1.30"), ".gitattributes": "*.yaml filter=evil\n",
                 "chart/Chart.yaml": "apiVersion: v2\nname: x\nversion: 0.1.0\n"})
    git(root, "config", "filter.evil.smudge", f"touch {marker}; cat")
    (root / "cluster.yaml").write_text(eksctl("1.32"))
    assert ("cluster.yaml", 6, "EKS504") in found(eksguard(root, ".", "--diff-base", "main"))
    assert not marker.exists()


def test_refs_unchanged_files_are_read_in_place_only_what_differs_is_written(repo):
    """REF's platform: files REF holds as they are now are lifted where they are (named
    as REF's written files are, from the parse cache); only what differs is written out,
    and a Terraform folder where anything differs (here only its variables) is written
    whole, so its unchanged main.tf evaluates with REF's variables."""
    from eksguard.engine.diffbase import open_diff
    from eksguard.plugins import get_plugins

    module = 'module "eks" {\n  source             = "terraform-aws-modules/eks/aws"\n  version            = "~> 21.0"\n' \
             '  name               = "platform"\n  kubernetes_version = var.kubernetes\n}\n'
    variables = 'variable "kubernetes" {{\n  default = "{version}"\n}}\n'
    root = repo({"infra/main.tf": module, "infra/variables.tf": variables.format(version="1.29"),
                 "clusters/prod.yaml": eksctl("1.30"), "clusters/staging.yaml": eksctl("1.30", name="staging"),
                 "k8s/a.yaml": deployment("web"), "k8s/b.yaml": deployment("api")})
    write(root, {"infra/variables.tf": variables.format(version="1.31"), "clusters/prod.yaml": eksctl("1.32")})
    diff = open_diff("main", ["."], get_plugins(load_entrypoints=False), cwd=root, options={"cache": False})
    try:
        base = diff.base.platform
        written = sorted(p.relative_to(diff.base.tree).as_posix() for p in diff.base.tree.rglob("*") if p.is_file())
        assert written == ["clusters/prod.yaml", "infra/main.tf", "infra/variables.tf"]
        kinds = sorted((obj.origin.path, type(obj).__name__) for obj in base.objects)
        assert ("clusters/staging.yaml", "Cluster") in kinds and ("k8s/a.yaml", "Workload") in kinds
        assert all(diff.base.current(path) == path for path, _ in kinds)
    finally:
        diff.close()
    got = sorted(f for f in found(eksguard(root, ".", "--diff-base", "main")) if f[2] == "EKS504")
    assert got == [("clusters/prod.yaml", 6, "EKS504"), ("infra/main.tf", 5, "EKS504")]


def test_refs_platform_keeps_only_what_the_comparing_checks_read(repo):
    """REF's platform is a second model in memory: with the built-in rules it keeps only
    what EKS504 reads there (clusters), cut as each source comes in; EKS504 still reports.
    A plugin's check may read anything of REF, and then REF keeps everything."""
    from eksguard.checks import Check
    from eksguard.engine.runner import active_rules, scan
    from eksguard.hookspecs import hookimpl
    from eksguard.plugins import get_plugins

    root = repo({"clusters/prod.yaml": eksctl("1.30"), "k8s/a.yaml": deployment("web"),
                 "k8s/pdb.yaml": pdb("web")})
    write(root, {"clusters/prod.yaml": eksctl("1.32"), "k8s/b.yaml": deployment("api")})
    plugins = get_plugins(load_entrypoints=False)
    result = scan(["."], plugins, cwd=root, diff_base="main", options={"jobs": 1})
    try:
        assert [f.code for f in result.findings if f.code == "EKS504"] == ["EKS504"]
        assert sorted(type(obj).__name__ for obj in result.diff.base.platform.objects) == ["Cluster"]
        assert {"Workload", "PodDisruptionBudget"} <= {type(obj).__name__ for obj in result.platform.objects}
    finally:
        result.diff.close()

    class Reader:
        @hookimpl
        def eksguard_register_checks(self):
            return [Check("reads-ref", lambda platform, params: iter(()))]

    plugins = get_plugins(load_entrypoints=False)
    plugins.pm.register(Reader(), name="reads-ref")
    any_check = next(r for r in active_rules(plugins) if r.check)
    rules = [*active_rules(plugins), dataclasses.replace(any_check, code="TEST001", name="reads-ref",
                                                         check="reads-ref", params={})]
    result = scan(["."], plugins, cwd=root, diff_base="main", rules=rules, options={"jobs": 1})
    try:
        kept = {type(obj).__name__ for obj in result.diff.base.platform.objects}
        assert {"Cluster", "Workload", "PodDisruptionBudget"} <= kept
    finally:
        result.diff.close()


def test_refs_unchanged_files_are_taken_from_todays_scan(repo, tmp_path, monkeypatch):
    """REF's files that are today's as they are lifted to what today's scan lifted them
    to: taken from it, not read from the cache and unpickled again (at 20,000 files that
    was ~3 s of a pull request's scan, to keep REF's clusters). From a subfolder the
    scan names files otherwise than REF does, and they are read from the cache."""
    from eksguard.engine import cache
    from eksguard.engine.runner import scan
    from eksguard.plugins import get_plugins

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = repo({"clusters/prod.yaml": eksctl("1.30"), "clusters/dev.yaml": eksctl("1.30", name="dev"),
                 "k8s/a.yaml": deployment("web")})
    write(root, {"clusters/prod.yaml": eksctl("1.32")})
    plugins = get_plugins(load_entrypoints=False)
    loads = []
    real_load = cache.EntryStore.load
    monkeypatch.setattr(cache.EntryStore, "load", lambda self, key: loads.append(key) or real_load(self, key))

    def pull_request(cwd: Path) -> list:
        scan(["."], plugins, cwd=cwd, options={"jobs": 1})  # the cache, warm
        loads.clear()
        result = scan(["."], plugins, cwd=cwd, diff_base="main", options={"jobs": 1})
        try:
            clusters = sorted((o.name, o.origin.path) for o in result.diff.base.platform.objects)
        finally:
            result.diff.close()
        return [f.code for f in result.findings if f.code == "EKS504"], clusters, len(result.sources)

    codes, clusters, files = pull_request(root)
    assert codes == ["EKS504"] and clusters == [("dev", "clusters/dev.yaml"), ("platform-prod", "clusters/prod.yaml")]
    assert len(loads) == files  # today's scan read each file's entry once; REF read none
    codes, clusters, files = pull_request(root / "clusters")
    assert codes == ["EKS504"] and ("dev", "clusters/dev.yaml") in clusters
    assert len(loads) > files  # named "dev.yaml" today and "clusters/dev.yaml" at REF: read again


# -- shallow CI checkouts ----------------------------------------------------------------
@pytest.fixture
def origin(repo):
    root = repo({"k8s/a.yaml": deployment("web"), "k8s/b.yaml": deployment("api"), "cluster.yaml": eksctl("1.30")},
                name="origin")
    write(root, {"k8s/b.yaml": deployment("api", replicas=5), "cluster.yaml": eksctl("1.32")})
    git(root, "commit", "-q", "-am", "feature work")
    return root


def test_shallow_clone_then_fetch_of_the_base_branch(origin, tmp_path):
    """actions/checkout with fetch-depth 1, then `git fetch --depth=1 origin main`."""
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(work))
    git(work, "fetch", "-q", "--depth=1", "origin", "main")
    proc = eksguard(work, ".", "--diff-base", "origin/main")
    got = found(proc)
    assert ("k8s/b.yaml", 2, "EKS406") in got and ("cluster.yaml", 6, "EKS504") in got
    assert not any(path == "k8s/a.yaml" for path, _, _ in got)
    notes = proc.stderr.splitlines()
    assert any("FETCH_HEAD" in n for n in notes)  # a single-branch clone has no origin/main ref
    assert any(n.startswith("eksguard: note: no merge base of origin/main and HEAD (shallow clone)") for n in notes)


def test_shallow_clone_with_the_remote_ref(origin, tmp_path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", f"file://{origin}",
        str(work))
    proc = eksguard(work, ".", "--diff-base", "origin/main")
    assert sorted(found(proc)) == sorted(found(eksguard(origin, ".", "--diff-base", "main")))
    assert "no merge base" in proc.stderr and "FETCH_HEAD" not in proc.stderr
    assert eksguard(work, ".", "--diff-base", "origin/main", "-q").stderr == ""  # -q: no notes


def test_full_clone_uses_the_merge_base_silently(origin, tmp_path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--branch", "feature", f"file://{origin}", str(work))
    proc = eksguard(work, ".", "--diff-base", "origin/main")
    assert proc.stderr == ""
    assert ("k8s/b.yaml", 2, "EKS406") in found(proc)


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("ref, message", [
    ("no-such-branch", "eksguard: error: --diff-base no-such-branch: no such commit in this repository"),
    ("--oops", "eksguard: error: --diff-base '--oops': not a git revision"),
])
def test_unknown_ref_is_one_line_exit_2(repo, ref, message):
    root = repo({"a.yaml": deployment("web")})
    proc = eksguard(root, ".", f"--diff-base={ref}")
    assert proc.returncode == 2
    assert proc.stderr.startswith(message) and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stdout == ""


def test_outside_git_is_one_line_exit_2(tmp_path):
    (tmp_path / "a.yaml").write_text(deployment("web"))
    proc = eksguard(tmp_path, ".", "--diff-base", "main", )
    assert proc.returncode == 2
    assert proc.stderr.startswith("eksguard: error: --diff-base main: ") and "not inside a git work tree" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# -- the diff parser ---------------------------------------------------------------------------
def test_parse_diff_ranges_deletions_and_quoted_names():
    patch = b"""\
diff --git a/x.yaml b/x.yaml
--- a/x.yaml
+++ b/x.yaml
@@ -3 +3 @@ a
-old
+new
@@ -10,2 +9,0 @@
-gone
-gone
@@ -20,0 +19,3 @@
+a
+b
+c
diff --git "a/\\303\\274 \\"q\\".yaml" "b/\\303\\274 \\"q\\".yaml"
--- "a/\\303\\274 \\"q\\".yaml"
+++ "b/\\303\\274 \\"q\\".yaml"
@@ -1 +1,2 @@
+x
diff --git a/deleted.yaml b/deleted.yaml
--- a/deleted.yaml
+++ /dev/null
@@ -1,3 +0,0 @@
"""
    changes = parse_diff(patch, "/r")
    assert changes.lines == {"/r/x.yaml": [(3, 3), (19, 21)], '/r/ü "q".yaml': [(1, 2)]}
    assert changes.deletions == {"/r/x.yaml": [9]}
    assert changes.on_line("/r/x.yaml", 3) and not changes.on_line("/r/x.yaml", 4)
    assert changes.on_line("/r/x.yaml", 1, 19) and not changes.on_line("/r/x.yaml", 4, 18)
    assert changes.in_span("/r/x.yaml", 5, 9) and changes.in_span("/r/x.yaml", 10, 12)
    assert not changes.in_span("/r/x.yaml", 11, 18)


def test_unquote():
    assert unquote(b"b/plain name.yaml\t") == "b/plain name.yaml"
    assert unquote(b'"b/tab\\there\\\\.yaml"') == "b/tab\there\\.yaml"
    assert Changes().in_span("/nowhere", 1, 100) is False
