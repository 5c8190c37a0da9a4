""".eksguard.yaml end to end, through the command line: discovery, validation errors,
selection, per-rule settings, paths, exemptions, extends, rule-dirs, plugins, precedence
and ``eksguard config --show``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import eksguard

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {alb.ingress.kubernetes.io/healthcheck-path: /healthz}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""  # EKS601 (no group) and EKS602 (no target-type), both at 2:1

NLB = """\
apiVersion: v1
kind: Service
metadata:
  name: checkout
  namespace: payments
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance
spec:
  type: LoadBalancer
  selector: {app: checkout}
  ports: [{port: 443, targetPort: 8443}]
"""  # EKS603


def deployment(name: str, namespace: str, replicas: int) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          replicas: {replicas}
          selector: {{matchLabels: {{app: {name}}}}}
          template:
            metadata: {{labels: {{app: {name}}}}}
            spec: {{containers: [{{name: app, image: "nginx:1.27"}}]}}
        """)


def pdb(namespace: str, app: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {{name: pdb, namespace: {namespace}}}
        spec:
          minAvailable: 1
          selector: {{matchLabels: {{app: {app}}}}}
        """)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if rel.endswith((".eksguard.yaml", ".eksguard.yml")) else text)
    return root


@pytest.fixture
def repo(tmp_path):
    """A repo folder under a fake $HOME, so discovery never leaves the test's tree."""
    root = tmp_path / "home" / "repo"
    root.mkdir(parents=True)
    return root


def run(*args, cwd, env=None):
    home = str(Path(cwd).resolve().parents[0]) if env is None or "HOME" not in env else env["HOME"]
    full_env = {**os.environ, "HOME": home, **(env or {})}
    return eksguard(*args, cwd=cwd, env=full_env)


def codes(result) -> list[tuple[str, str, str]]:
    """(file, code, severity) of every finding, from the JSON report."""
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    return sorted((f["location"]["path"], f["code"], f["severity"]) for f in data["findings"])


def scan_json(repo, *args, cwd=None):
    return codes(run("scan", *args, "--format", "json", cwd=cwd or repo, env={"HOME": str(repo.parent)}))


def error_of(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --------------------------------------------------------------------------- discovery


def test_no_config_is_the_default_behaviour(repo):
    write(repo, {"ingress.yaml": INGRESS})
    assert scan_json(repo, ".") == [("ingress.yaml", "EKS601", "warning"), ("ingress.yaml", "EKS602", "warning")]
    shown = run("config", "--show", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    assert "# config file: none" in shown.stdout
    assert "fail-on: warning" in shown.stdout and "# preset default" in shown.stdout


def test_found_by_walking_up_from_the_scan_root_not_the_cwd(repo, tmp_path):
    write(repo, {"k8s/apps/ingress.yaml": INGRESS, ".eksguard.yaml": "ignore: [EKS602]\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"HOME": str(repo.parent)}
    result = run("scan", str(repo / "k8s" / "apps" / "ingress.yaml"), "--format", "json", cwd=elsewhere, env=env)
    assert [c for _, c, _ in codes(result)] == ["EKS601"]
    verbose = run("scan", str(repo / "k8s"), "-v", cwd=elsewhere, env=env)
    assert f"eksguard: config {repo / '.eksguard.yaml'}" in verbose.stderr


def test_yml_is_found_and_both_is_an_error(repo):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yml": "ignore: [EKS601]\n"})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS602"]
    write(repo, {".eksguard.yaml": "ignore: [EKS602]\n"})
    message = error_of(run("scan", ".", cwd=repo))
    assert "both .eksguard.yaml and .eksguard.yml exist: keep one" in message


def test_discovery_stops_at_home(tmp_path):
    home = tmp_path / "home"
    write(tmp_path, {".eksguard.yaml": "ignore: [EKS601, EKS602]\n", "home/repo/ingress.yaml": INGRESS})
    result = run("scan", ".", "--format", "json", cwd=home / "repo", env={"HOME": str(home)})
    assert [c for _, c, _ in codes(result)] == ["EKS601", "EKS602"]


def test_config_flag_and_no_config(repo, tmp_path):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yaml": "ignore: [EKS602]\n"})
    other = write(tmp_path, {"ci/eksguard.yaml": "ignore: [EKS601]\n"}) / "ci" / "eksguard.yaml"
    assert [c for _, c, _ in scan_json(repo, ".", "--config", str(other))] == ["EKS602"]
    assert [c for _, c, _ in scan_json(repo, ".", "--no-config")] == ["EKS601", "EKS602"]
    assert "--config missing.yaml: no such file" in error_of(run("scan", ".", "--config", "missing.yaml", cwd=repo))
    both = run("scan", ".", "--config", str(other), "--no-config", cwd=repo)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_stdin_uses_the_config_of_the_working_directory(repo):
    write(repo, {".eksguard.yaml": "ignore: [EKS602]\n"})
    result = subprocess.run([sys.executable, "-m", "eksguard", "scan", "-", "--format", "json"], cwd=repo,
                            input=INGRESS, capture_output=True, text=True, env={**os.environ, "HOME": str(repo.parent)})
    assert [c for _, c, _ in codes(result)] == ["EKS601"]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("content, expected", [
    ("selct: [EKS6]\n", ".eksguard.yaml:1:1: selct: unknown key; did you mean 'select'?"),
    ("fail-on: warn\n", ".eksguard.yaml:1:1: fail-on: expected one of error, warning, note, got \"warn\""),
    ("select: EKS6\n", ".eksguard.yaml:1:1: select: expected a list of rule codes, code prefixes, rule names or ALL, "
                       "got \"EKS6\""),
    ("select: [EKS6, 'not a rule!']\n", ".eksguard.yaml:1:16: select[1]: expected a rule code (EKS601), code prefix "
                                         "(EKS6), rule name (alb-ingress-without-group) or ALL, got \"not a rule!\""),
    ("rules:\n  EKS406:\n    severty: error\n", ".eksguard.yaml:3:5: rules.EKS406.severty: unknown key; "
                                                 "did you mean 'severity'?"),
    ("rules:\n  EKS406: {severity: fatal}\n", ".eksguard.yaml:2:12: rules.EKS406.severity: expected one of error, "
                                               "warning, note, got \"fatal\""),
    ("exemptions:\n  - {rules: [EKS406]}\n", ".eksguard.yaml:2:5: exemptions[0]: needs at least one of kind, "
                                              "namespace, name"),
    ("ignore-paths: vendor\n", ".eksguard.yaml:1:1: ignore-paths: expected a list of globs, got \"vendor\""),
    ("- select\n", ".eksguard.yaml: expected a mapping of settings (extends, select, ignore, rules, ...), got a list"),
    ("select: [EKS6\n", ".eksguard.yaml:2:1: not valid YAML:"),
    ("select: [EKS6]\nselect: [EKS4]\n", ".eksguard.yaml:2:1: duplicate key 'select' (first on line 1)"),
])
def test_schema_errors_are_one_line_with_position_and_key_path(repo, content, expected):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yaml": content})
    assert error_of(run("scan", ".", cwd=repo)).startswith(f"eksguard: error: {expected}")


@pytest.mark.parametrize("content, expected", [
    ("select: [EKS9]\n", ".eksguard.yaml:1:10: select[0]: 'EKS9' matches no rule (see 'eksguard rules')"),
    ("rules:\n  no-such-rule: {severity: error}\n", ".eksguard.yaml:2:3: rules.no-such-rule: no rule 'no-such-rule'"),
    ("rules:\n  EKS406:\n    params: {min_replicas: 0}\n",
     ".eksguard.yaml:3:14: rules.EKS406.params.min_replicas: expected at least 1, got 0"),
    ("rules:\n  workload-without-pdb:\n    params: {min_replica: 3}\n",
     ".eksguard.yaml:3:14: rules.workload-without-pdb.params.min_replica: unknown key; did you mean 'min_replicas'?"),
    ("rules:\n  EKS403:\n    params:\n      gpu_categories: g\n",
     ".eksguard.yaml:4:7: rules.EKS403.params.gpu_categories: expected a list, got \"g\""),
    ("rules:\n  EKS601:\n    params: {group_name: Shared_ALB}\n",
     ".eksguard.yaml:3:14: rules.EKS601.params.group_name: expected an IngressGroup name: lower-case letters, digits, "
     "'-' and '.', up to 63 characters, got \"Shared_ALB\""),
    ("rules:\n  EKS503:\n    params: {today: tomorrow}\n",
     ".eksguard.yaml:3:14: rules.EKS503.params.today: expected a date (YYYY-MM-DD) or null, got \"tomorrow\""),
    ("rules:\n  EKS603:\n    params: {x: 1}\n",
     ".eksguard.yaml:3:14: rules.EKS603.params.x: rule EKS603 (nlb-target-type-instance) has no options"),
    ("exemptions:\n  - {name: web, rules: [EKS9]}\n", ".eksguard.yaml:2:25: exemptions[0].rules[0]: 'EKS9' matches no rule"),
    ("extends: nowhere.yaml\n", ".eksguard.yaml:1:1: extends: no preset or file 'nowhere.yaml'"),
    ("rule-dirs: [policies]\n", ".eksguard.yaml:1:13: rule-dirs[0]: no such folder 'policies'"),
    ("plugins: [mine.py]\n", ".eksguard.yaml:1:11: plugins[0]: no plugin module 'mine.py'"),
])
def test_semantic_errors_point_at_the_key(repo, content, expected):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yaml": content})
    assert error_of(run("scan", ".", cwd=repo)).startswith(f"eksguard: error: {expected}")
    assert error_of(run("config", "--show", cwd=repo)).startswith(f"eksguard: error: {expected}")


def test_cli_selector_errors_name_the_flag(repo):
    write(repo, {"ingress.yaml": INGRESS})
    assert error_of(run("scan", ".", "--ignore", "EKS601,EKS9", cwd=repo)) == \
        "eksguard: error: --ignore: 'EKS9' matches no rule (see 'eksguard rules')"


def test_extends_cycle(repo):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yaml": "extends: base.yaml\n",
                 "base.yaml": "extends: .eksguard.yaml\n"})
    assert "extends: '.eksguard.yaml' extends itself (a cycle)" in error_of(run("scan", ".", cwd=repo))


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize("content, expected", [
    ("select: [EKS6]\n", ["EKS601", "EKS602", "EKS603"]),
    ("select: [EKS60]\nignore: [EKS6]\n", ["EKS601", "EKS602", "EKS603"]),  # longer prefix wins
    ("select: [EKS6]\nignore: [EKS60]\n", []),
    ("ignore: [EKS60]\nextend-select: [EKS602]\n", ["EKS602"]),  # a full code beats any prefix
    ("ignore: [alb-ingress-without-group, EKS603]\n", ["EKS602"]),  # names work too
    ("select: [ALL]\nignore: [EKS602]\n", ["EKS601", "EKS603"]),
    ("select: [EKS601]\nextend-select: [nlb-target-type-instance]\n", ["EKS601", "EKS603"]),
    ("select: [eks602]\n", ["EKS602"]),  # codes in any case
    ("select: []\n", []),
])
def test_select_ignore_extend_select(repo, content, expected):
    write(repo, {"ingress.yaml": INGRESS, "nlb.yaml": NLB, ".eksguard.yaml": content})
    assert sorted(c for _, c, _ in scan_json(repo, ".")) == expected


def test_precedence_preset_then_file_then_command_line(repo):
    write(repo, {"ingress.yaml": INGRESS, "nlb.yaml": NLB,
                 ".eksguard.yaml": "extends: strict\nignore: [EKS602]\nfail-on: error\n"})
    assert sorted(c for _, c, _ in scan_json(repo, ".")) == ["EKS601", "EKS603"]
    # --extend-select and --ignore build on the file; --select starts over (ruff's model).
    assert sorted(c for _, c, _ in scan_json(repo, ".", "--ignore", "EKS603")) == ["EKS601"]
    assert sorted(c for _, c, _ in scan_json(repo, ".", "--extend-select", "EKS602")) == ["EKS601", "EKS602", "EKS603"]
    assert sorted(c for _, c, _ in scan_json(repo, ".", "--select", "EKS60", "--ignore", "EKS603")) == \
        ["EKS601", "EKS602"]
    assert sorted(c for _, c, _ in scan_json(repo, ".", "--select", "EKS601", "--select", "EKS603")) == \
        ["EKS601", "EKS603"]
    # fail-on: strict says note, the file says error, the command line says warning.
    assert run("scan", ".", cwd=repo).returncode == 0
    assert run("scan", ".", "--fail-on", "warning", cwd=repo).returncode == 1
    write(repo, {".eksguard.yaml": "extends: strict\nignore: [EKS6]\n", "nlb.yaml": NLB.replace("instance", "ip")})
    assert run("scan", ".", cwd=repo).returncode == 0


def test_disabled_rules_do_not_run(repo):
    """A crashing plugin check is never called when its rule is ignored."""
    write(repo, {
        "ingress.yaml": INGRESS,
        "boom.py": textwrap.dedent("""\
            from pathlib import Path
            from eksguard.checks import Check
            from eksguard.hookspecs import hookimpl

            def explode(platform, params):
                raise RuntimeError("ran")

            @hookimpl
            def eksguard_register_checks():
                return [Check("explode", explode)]
            """),
        "policies/custom/explode.yaml": rule_file("ACME001", "explode", "check: explode\n"),
        ".eksguard.yaml": "plugins: [boom.py]\nrule-dirs: [policies]\nignore: [ACME]\n",
    })
    result = run("scan", ".", cwd=repo, env={"HOME": str(repo.parent), "EKSGUARD_DEBUG": "1"})
    assert result.returncode == 1 and "RuntimeError" not in result.stderr, result.stderr
    result = run("scan", ".", "--select", "ACME001", cwd=repo, env={"HOME": str(repo.parent), "EKSGUARD_DEBUG": "1"})
    assert "RuntimeError: ran" in result.stderr


# --------------------------------------------------------------------------- per-rule settings


def test_severity_override_shows_in_every_format(repo):
    write(repo, {"ingress.yaml": INGRESS, "nlb.yaml": NLB, ".eksguard.yaml": """\
        rules:
          alb-target-type-instance: {severity: note}
          EKS603: {severity: error}
        fail-on: error
        """})
    assert scan_json(repo, ".") == [("ingress.yaml", "EKS601", "warning"), ("ingress.yaml", "EKS602", "note"),
                                    ("nlb.yaml", "EKS603", "error")]
    text = run("scan", "ingress.yaml", cwd=repo)
    assert "EKS602 [note]" in text.stdout and text.returncode == 0
    sarif = json.loads(run("scan", ".", "--format", "sarif", cwd=repo).stdout)
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"EKS601": "warning", "EKS602": "note", "EKS603": "error"}
    rules = {r["id"]: r["defaultConfiguration"]["level"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["EKS603"] == "error"


def test_params_reach_the_check(repo):
    write(repo, {"web.yaml": deployment("web", "shop", 2)})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS406"]
    write(repo, {".eksguard.yaml": "rules:\n  workload-without-pdb:\n    params: {min_replicas: 3}\n"})
    assert scan_json(repo, ".") == []
    write(repo, {"web.yaml": deployment("web", "shop", 3)})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS406"]


def test_later_layers_override_single_params(repo):
    write(repo, {
        "web.yaml": deployment("web", "shop", 4),
        "base.yaml": "rules:\n  EKS406: {severity: error, params: {min_replicas: 5}}\n",
        ".eksguard.yaml": "extends: base.yaml\nrules:\n  workload-without-pdb: {params: {min_replicas: 4}}\n",
    })
    assert scan_json(repo, ".") == [("web.yaml", "EKS406", "error")]
    shown = run("config", "--show", cwd=repo).stdout
    assert "# layers, lowest first: preset default < base.yaml < .eksguard.yaml < command line" in shown
    assert "    severity: error                     # base.yaml" in shown
    assert "      min_replicas: 4                   # .eksguard.yaml" in shown


def test_cluster_version_calendar_and_today(repo):
    cluster = textwrap.dedent("""\
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata: {name: prod, region: eu-west-1, version: "1.40"}
        """)
    write(repo, {"cluster.yaml": cluster, ".eksguard.yaml": "select: [EKS503]\n"})
    assert scan_json(repo, ".") == []
    write(repo, {".eksguard.yaml": """\
        select: [EKS503]
        rules:
          cluster-version-extended-support:
            params:
              today: "2031-01-01"
              calendar:  # an unquoted 1.40 is the version "1.40", not the number 1.4
                1.40: {end_of_standard_support: "2030-01-01", end_of_extended_support: "2031-06-01"}
        """})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS503"]


# --------------------------------------------------------------------------- paths and exemptions


def test_ignore_paths_global_and_per_rule(repo):
    write(repo, {"apps/ingress.yaml": INGRESS, "vendor/chart/ingress.yaml": INGRESS, "legacy/nlb.yaml": NLB,
                 ".eksguard.yaml": """\
        ignore-paths: [vendor]
        rules:
          EKS602: {ignore-paths: ["apps/*.yaml"]}
          EKS603: {ignore-paths: ["**/legacy/**"]}
        """})
    assert scan_json(repo, ".") == [("apps/ingress.yaml", "EKS601", "warning")]


@pytest.mark.parametrize("glob, hidden", [
    ("*.json", {"apps/a.json"}),  # no slash: a name at any depth
    ("deep", {"apps/deep/b.yaml"}),  # a folder covers what is below it
    ("apps/*", {"apps/a.json", "apps/deep/b.yaml"}),  # anchored; apps/deep matches, so b.yaml is below it
    ("/deep", set()),  # a leading slash anchors at the config's folder
    ("**/deep/*.yaml", {"apps/deep/b.yaml"}),
    ("apps/[ab].json", {"apps/a.json"}),
])
def test_glob_semantics(repo, glob, hidden):
    import yaml

    write(repo, {"apps/a.json": json.dumps(yaml.safe_load(INGRESS)), "apps/deep/b.yaml": INGRESS,
                 ".eksguard.yaml": f"ignore-paths: [{json.dumps(glob)}]\n"})
    shown = {path for path, _, _ in scan_json(repo, ".")}
    assert shown == {"apps/a.json", "apps/deep/b.yaml"} - hidden


def test_exclude_is_not_read_ignore_paths_is_read_but_not_reported(repo):
    """A PDB in platform/ protects the workload in apps/: ``ignore-paths`` keeps it in the
    model (no finding), ``exclude`` takes it out (the workload is now unprotected)."""
    write(repo, {"apps/web.yaml": deployment("web", "shop", 2), "platform/pdb.yaml": pdb("shop", "web")})
    assert scan_json(repo, ".") == []
    write(repo, {".eksguard.yaml": "ignore-paths: [platform]\n"})
    assert scan_json(repo, ".") == []
    write(repo, {".eksguard.yaml": "exclude: [platform/]\n"})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS406"]
    verbose = run("scan", ".", "-v", cwd=repo)
    assert "eksguard: skipped platform/pdb.yaml: exclude platform/ (.eksguard.yaml)" in verbose.stderr
    # explicitly named files are excluded too (pre-commit passes file names)
    assert scan_json(repo, "platform/pdb.yaml", "apps/web.yaml") == [("apps/web.yaml", "EKS406", "warning")]


def test_cross_file_findings_follow_their_primary_location(repo):
    """EKS406 is reported at the workload, with the non-matching PDB as a related location:
    ignoring the PDB's file keeps it, ignoring the workload's file drops it."""
    write(repo, {"apps/web.yaml": deployment("web", "shop", 2), "platform/pdb.yaml": pdb("shop", "other")})
    result = json.loads(run("scan", ".", "--format", "json", cwd=repo).stdout)
    assert [r["location"]["path"] for r in result["findings"][0]["related"]] == ["platform/pdb.yaml"]
    write(repo, {".eksguard.yaml": "ignore-paths: [platform]\n"})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS406"]
    write(repo, {".eksguard.yaml": "ignore-paths: [apps]\n"})
    assert scan_json(repo, ".") == []


def test_exemptions_by_kind_namespace_name(repo):
    write(repo, {
        "a.yaml": deployment("web", "shop", 2) + "---\n" + deployment("api", "kube-system", 2) + "---\n"
        + deployment("batch-1", "jobs", 2) + "---\n" + INGRESS,
        ".eksguard.yaml": """\
        exemptions:
          - namespace: kube-*
            reason: managed by the platform team
          - {kind: Deployment, name: ["batch-*", "cron-*"], rules: [EKS4]}
          - {kind: Ingress, name: web, rules: [alb-target-type-instance]}
        """,
    })
    data = json.loads(run("scan", ".", "--format", "json", cwd=repo).stdout)
    found = sorted((f["code"], f["object"]["namespace"], f["object"]["name"]) for f in data["findings"])
    assert found == [("EKS406", "shop", "web"), ("EKS601", "shop", "web")]
    shown = run("config", "--show", cwd=repo).stdout
    assert '  - {namespace: kube-*, reason: "managed by the platform team"}' in shown


# --------------------------------------------------------------------------- extends, rule-dirs, plugins


def rule_file(code: str, name: str, body: str) -> str:
    return textwrap.dedent(f"""\
        code: {code}
        name: {name}
        title: A custom rule
        severity: warning
        status: stable
        since: 0.1.0
        default: true
        tags: [operations]
        security_severity: 1.0
        message: "{{kind}} {{name}} is not allowed here"
        docs:
          what: Flags it.
          why: It hurts.
          confirm: kubectl get it
          example: "kind: Service"
          use_instead: "kind: Service"
          ignore_when: Never.
          references: []
        """) + body


def test_extends_strict_and_relative_paths(repo):
    write(repo, {"ingress.yaml": INGRESS, "shared/base.yaml": "extends: strict\nignore-paths: [../vendor]\n",
                 "vendor/ingress.yaml": INGRESS, ".eksguard.yaml": "extends: shared/base.yaml\n"})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["EKS601", "EKS602"]  # vendor/ hidden by base.yaml
    shown = run("config", "--show", cwd=repo)
    assert "preset default < preset strict < shared/base.yaml < .eksguard.yaml < command line" in shown.stdout
    assert "fail-on: note                           # preset strict" in shown.stdout
    assert "  - ALL                                 # preset strict" in shown.stdout
    assert "  - ../vendor                           # shared/base.yaml" in shown.stdout
    shown = run("config", "--show", "--fail-on", "error", cwd=repo)
    assert "fail-on: error                          # --fail-on" in shown.stdout


def test_rule_dirs_add_validated_rules(repo):
    body = "applies_to: {kinds: [Service]}\nschema: {properties: {spec: {properties: {type: {not: {const: LoadBalancer}}}}}}\n"
    write(repo, {"nlb.yaml": NLB, "policies/custom/no-load-balancer.yaml": rule_file("ACME001", "no-load-balancer", body),
                 ".eksguard.yaml": "rule-dirs: [policies]\n"})
    assert [c for _, c, _ in scan_json(repo, ".")] == ["ACME001", "EKS603"]
    assert [c for _, c, _ in scan_json(repo, ".", "--select", "ACME")] == ["ACME001"]
    listed = run("rules", cwd=repo)
    assert "ACME001  no-load-balancer" in listed.stdout, listed.stderr
    assert run("explain", "ACME001", cwd=repo).stdout.startswith("# ACME001 no-load-balancer")
    write(repo, {"policies/custom/no-load-balancer.yaml": rule_file("ACME001", "no-load-balancer", "severity: fatal\n")})
    message = error_of(run("scan", ".", cwd=repo))
    assert "no-load-balancer.yaml" in message


def test_local_plugin_module_with_its_check_and_params(repo):
    write(repo, {
        "web.yaml": deployment("web", "shop", 7),
        "tools/eksguard_acme/__init__.py": textwrap.dedent("""\
            from pathlib import Path
            from eksguard.checks import Check
            from eksguard.findings import Violation
            from eksguard.hookspecs import hookimpl
            from eksguard.model import Workload

            def too_many(platform, params):
                for w in platform.of_kind(Workload):
                    if (w.get("spec", "replicas") or 1) > params["max"]:
                        yield Violation(location=w.kind_location(), message=f"{w.name} > {params['max']}", object=w.ref)

            @hookimpl
            def eksguard_register_checks():
                return [Check("too-many-replicas", too_many,
                              params_schema={"type": "object", "additionalProperties": False,
                                             "properties": {"max": {"type": "integer"}}},
                              defaults={"max": 5})]

            @hookimpl
            def eksguard_register_rule_dirs():
                return [Path(__file__).parent / "rules"]
            """),
        "tools/eksguard_acme/rules/acme/too-many-replicas.yaml": rule_file("ACME002", "too-many-replicas",
                                                                         "check: too-many-replicas\n"),
        ".eksguard.yaml": "plugins: [tools/eksguard_acme]\nignore: [EKS4]\n",
    })
    assert scan_json(repo, ".") == [("web.yaml", "ACME002", "warning")]
    write(repo, {".eksguard.yaml": "plugins: [tools/eksguard_acme]\nignore: [EKS4]\n"
                                   "rules: {too-many-replicas: {params: {max: 10}}}\n"})
    assert scan_json(repo, ".") == []
    write(repo, {".eksguard.yaml": "plugins: [tools/eksguard_acme]\nrules: {ACME002: {params: {max: many}}}\n"})
    assert error_of(run("scan", ".", cwd=repo)).endswith(
        ".eksguard.yaml:2:28: rules.ACME002.params.max: expected an integer, got \"many\"")
    write(repo, {"tools/eksguard_acme/__init__.py": "raise ImportError('broken on purpose')\n"})
    assert "cannot load plugins from .eksguard.yaml: ImportError: broken on purpose" in error_of(run("scan", ".", cwd=repo))


# --------------------------------------------------------------------------- config --show, speed


def test_show_names_the_origin_of_every_value(repo):
    write(repo, {"ingress.yaml": INGRESS, ".eksguard.yaml": """\
        extends: strict
        ignore: [EKS602]
        rules:
          EKS406: {severity: error, params: {min_replicas: 3}, ignore-paths: [jobs/**]}
        """})
    result = run("config", "--show", "--ignore", "EKS601", "--extend-select", "EKS602", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:12] == [
        "# eksguard effective configuration",
        "# config file: .eksguard.yaml",
        "# layers, lowest first: preset default < preset strict < .eksguard.yaml < command line",
        "fail-on: note                           # preset strict",
        "select:",
        "  - ALL                                 # preset strict",
        "extend-select:",
        "  - EKS602                              # --extend-select",
        "ignore:",
        "  - EKS602                              # .eksguard.yaml",
        "  - EKS601                              # --ignore",
        "rules:",
    ]
    assert "  EKS406:                               # workload-without-pdb" in result.stdout
    assert "      - jobs/**                         # .eksguard.yaml" in result.stdout
    assert "#   off  EKS601  alb-ingress-without-group: ignore EKS601 (--ignore)" in result.stdout
    assert "#   on   EKS602  alb-target-type-instance: extend-select EKS602 (--extend-select)" in result.stdout
    assert run("config", "--ignore", "EKS601", "--extend-select", "EKS602", cwd=repo).stdout == result.stdout
    import yaml

    parsed = yaml.safe_load(result.stdout)  # the output is YAML
    assert parsed["rules"]["EKS406"]["params"] == {"min_replicas": 3}


def test_no_jsonschema_import_without_a_config_file(repo):
    write(repo, {"ingress.yaml": INGRESS})
    probe = ("import sys\nfrom eksguard.cli import main\ncode = main(['scan', 'ingress.yaml'])\n"
             "print('jsonschema' in sys.modules, code, file=sys.stderr)")
    env = {**os.environ, "HOME": str(repo.parent)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, env=env)
    assert result.stderr.strip() == "False 1", result.stderr
    write(repo, {".eksguard.yaml": "ignore: [EKS602]\n"})
    result = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, env=env)
    assert result.stderr.strip() == "True 1", result.stderr


def test_presets_are_valid_configs():
    import jsonschema

    from eksguard.config import PRESETS_DIR, config_schema

    import yaml

    for path in PRESETS_DIR.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), config_schema())


def test_documented_examples_are_valid_configs():
    import re

    import jsonschema
    import yaml

    from eksguard.config import config_schema

    root = Path(__file__).resolve().parent.parent
    blocks = []
    for doc in (root / "README.md", root / "docs" / "config.md"):
        blocks += [b for b in re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
                   if b.startswith("# .eksguard.yaml")]
    assert len(blocks) >= 2
    for block in blocks:
        jsonschema.validate(yaml.safe_load(block), config_schema())


def test_declarative_rule_with_fix_ops(repo):
    """A rule folder's JSON Schema rule can carry ``fix.ops``: ``--diff`` shows them applied
    where the finding is, with the file's layout kept."""
    body = ("applies_to: {kinds: [Service]}\n"
            "schema: {properties: {spec: {properties: {externalTrafficPolicy: {const: Local}}}}}\n"
            "fix:\n  applicability: safe\n  title: Keep client source IPs\n"
            "  ops:\n    - {op: set, path: /spec/externalTrafficPolicy, value: Local}\n")
    write(repo, {"svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                             "  type: NodePort  # keep\n  externalTrafficPolicy: Cluster\n",
                 "policies/custom/local-traffic.yaml": rule_file("ACME002", "local-traffic", body),
                 ".eksguard.yaml": "rule-dirs: [policies]\nselect: [ACME]\n"})
    diff = run("scan", ".", "--diff", cwd=repo)
    assert diff.returncode == 1, diff.stderr
    assert "-  externalTrafficPolicy: Cluster\n+  externalTrafficPolicy: Local\n" in diff.stdout
    assert run("scan", ".", "--fix", cwd=repo).returncode == 0
    assert (repo / "svc.yaml").read_text().endswith("  type: NodePort  # keep\n  externalTrafficPolicy: Local\n")
