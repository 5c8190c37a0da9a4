"""Table tests for the shared ALB resolution (AlbBinding settings, alb_groups) and the
cluster checks' date and calendar handling (EKS503)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eksguard.checks.cluster_version import CHECK as VERSION_CHECK
from eksguard.checks.cluster_version import scan_date, shipped_calendar
from eksguard.engine.rules import RuleError
from eksguard.engine.runner import scan
from eksguard.findings import Location
from eksguard.model import Cluster, Ingress, Origin, Platform

INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: web
  annotations: {annotations}
spec:
  ingressClassName: {klass}
  tls: {tls}
  defaultBackend:
    service: {{name: {name}, port: {{number: 80}}}}
"""

PARAMS = """
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: public}
spec:
  scheme: internet-facing
  group: {name: public}
  certificateArn: [arn:aws:acm:eu-west-1:123456789012:certificate/params]
  sslRedirectPort: "443"
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb-public}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: public}
"""


def platform_of(plugins, tmp_path: Path, *docs: str) -> Platform:
    path = tmp_path / "all.yaml"
    path.write_text("\n---\n".join(docs))
    return scan([str(path)], plugins, cwd=tmp_path).platform


def ingress(name="app", annotations="{}", klass="alb", tls="[]"):
    return INGRESS.format(name=name, annotations=annotations, klass=klass, tls=tls)


def binding(platform: Platform, name: str):
    found = platform.find("Ingress", name, "web")
    assert isinstance(found, Ingress)
    return platform.alb_binding(found)


@pytest.mark.parametrize("annotations, expected", [
    ("{}", [("HTTP", 80)]),
    ('{"alb.ingress.kubernetes.io/certificate-arn": "arn:a, arn:b"}', [("HTTPS", 443)]),
    ("""{"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 8443}]'}""", [("HTTP", 80), ("HTTPS", 8443)]),
    ("""{"alb.ingress.kubernetes.io/listen-ports": 'not json'}""", None),
    ("""{"alb.ingress.kubernetes.io/listen-ports": '[{"TCP": 80}]'}""", None),
])
def test_listen_ports_follow_the_controller_defaults(plugins, tmp_path, annotations, expected):
    platform = platform_of(plugins, tmp_path, ingress(annotations=annotations))
    assert binding(platform, "app").listen_ports == expected


def test_params_win_over_annotations(plugins, tmp_path):
    annotations = ('{"alb.ingress.kubernetes.io/scheme": internal, "alb.ingress.kubernetes.io/certificate-arn": '
                   'arn:annotation, "alb.ingress.kubernetes.io/ssl-redirect": "8443"}')
    platform = platform_of(plugins, tmp_path, PARAMS, ingress(annotations=annotations, klass="alb-public"))
    found = binding(platform, "app")
    assert found.scheme == "internet-facing"
    assert found.certificate_arns == ["arn:aws:acm:eu-west-1:123456789012:certificate/params"]
    assert found.setting("ssl-redirect").text == "443" and found.setting("ssl-redirect").from_params
    assert found.listen_ports == [("HTTPS", 443)]  # the params certificate makes HTTPS the default
    assert found.group_name == "public"


def test_annotation_setting_and_hosts(plugins, tmp_path):
    annotations = '{"alb.ingress.kubernetes.io/certificate-arn": " arn:a ,arn:b,"}'
    platform = platform_of(plugins, tmp_path, ingress(annotations=annotations, tls="[{hosts: [a.example.com]}]"))
    found = binding(platform, "app")
    value = found.setting("certificate-arn")
    assert value.strings() == ["arn:a", "arn:b"] and not value.from_params
    assert value.location.line == 7  # the annotation's own line
    assert found.hosts == {"a.example.com"}
    assert found.setting("scheme") is None and found.scheme is None


def test_groups_span_documents_and_resolve_the_scheme(plugins, tmp_path):
    grouped = '{"alb.ingress.kubernetes.io/group.name": shop, "alb.ingress.kubernetes.io/scheme": internet-facing}'
    member = '{"alb.ingress.kubernetes.io/group.name": shop}'
    platform = platform_of(plugins, tmp_path, ingress("a", grouped), ingress("b", member), ingress("c"),
                           ingress("d", klass="nginx"))
    groups = {g.name: g for g in platform.alb_groups()}
    assert set(groups) == {"shop", None}
    shop = groups["shop"]
    assert [m.ingress.name for m in shop.members] == ["a", "b"]
    assert shop.internet_facing and not shop.scheme_conflict
    assert [m.ingress.name for m in groups[None].members] == ["c"]  # implicit group; nginx is not ALB-served


def test_conflicting_schemes_give_no_group_scheme(plugins, tmp_path):
    public = '{"alb.ingress.kubernetes.io/group.name": g, "alb.ingress.kubernetes.io/scheme": internet-facing}'
    internal = '{"alb.ingress.kubernetes.io/group.name": g, "alb.ingress.kubernetes.io/scheme": internal}'
    (group,) = platform_of(plugins, tmp_path, ingress("a", public), ingress("b", internal)).alb_groups()
    assert group.scheme_conflict and group.scheme is None and not group.internet_facing


# -- EKS503: scan date and calendar ------------------------------------------------------

def cluster_platform(version: str, support_type: str | None = None) -> Platform:
    platform = Platform()
    origin = Origin("cluster.yaml", "eksctl")
    cluster = Cluster("prod", origin, Location("cluster.yaml", 2, 1))
    cluster.set("version", version, Location("cluster.yaml", 6, 3))
    if support_type:
        cluster.set("support_type", support_type, Location("cluster.yaml", 8, 3))
    platform.add(cluster)
    return platform


def run(platform: Platform, **params) -> list[str]:
    merged = {**VERSION_CHECK.defaults, **params}
    return [v.message for v in VERSION_CHECK.func(platform, merged)]


def test_shipped_calendar_has_sources_and_ordered_dates():
    calendar = shipped_calendar()
    assert {"1.29", "1.33", "1.35"} <= set(calendar)
    for version, entry in calendar.items():
        assert entry["source"] in ("aws-docs", "eol-date"), version
        assert date.fromisoformat(entry["end_of_standard_support"]) < date.fromisoformat(entry["end_of_extended_support"])


@pytest.mark.parametrize("version, today, expect", [
    ("1.33", "2026-07-28", None),                       # last day of standard support
    ("1.33", "2026-07-29", "billed extended support"),  # the end date itself
    ("1.31", "2026-11-26", "extended support ended"),
    ("1.25", "2025-01-01", "older than every version"),  # judged by 1.28, a lower bound
    ("1.25", "2024-01-01", None),                       # 1.28 was still in standard support: quiet
    ("1.40", "2030-01-01", None),                       # newer than the calendar: unknown
    ("v1.33.2", "2026-08-01", "billed extended support"),
    ("latest", "2026-08-01", None),
])
def test_version_against_the_scan_date(version, today, expect):
    messages = run(cluster_platform(version), today=today)
    if expect is None:
        assert messages == []
    else:
        (message,) = messages
        assert expect in message and f"as of {today}" in message


def test_support_type_standard_is_told_apart():
    (message,) = run(cluster_platform("1.33", "STANDARD"), today="2026-08-01")
    assert "support_type is STANDARD" in message


def test_support_type_is_related_only_where_written():
    """A tool default (eksctl's EXTENDED) is written nowhere: no related location at the
    cluster's own line pretending to be the upgrade policy (found in the corpus review)."""
    platform = cluster_platform("1.33")
    cluster = platform.of_kind(Cluster)[0]
    cluster.set("support_type", "EXTENDED", cluster.location, default=True)
    (violation,) = VERSION_CHECK.func(platform, {**VERSION_CHECK.defaults, "today": "2026-08-01"})
    assert violation.related == []
    (violation,) = VERSION_CHECK.func(cluster_platform("1.33", "EXTENDED"),
                                      {**VERSION_CHECK.defaults, "today": "2026-08-01"})
    assert [(r.location.line, r.message) for r in violation.related] == [(8, "upgrade policy support type EXTENDED")]


def test_calendar_param_adds_and_overrides_versions():
    calendar = {"1.40": {"end_of_standard_support": "2029-01-01", "end_of_extended_support": "2030-01-01"},
                "1.33": {"end_of_standard_support": "2027-01-01", "end_of_extended_support": "2028-01-01"}}
    assert run(cluster_platform("1.40"), today="2029-06-01", calendar=calendar)
    assert run(cluster_platform("1.33"), today="2026-08-01", calendar=calendar) == []


def test_scan_date_precedence(monkeypatch):
    monkeypatch.setenv("EKSGUARD_TODAY", "2026-01-02")
    assert scan_date({"today": "2025-05-06"}) == date(2025, 5, 6)
    assert scan_date({"today": None}) == date(2026, 1, 2)
    monkeypatch.delenv("EKSGUARD_TODAY")
    assert isinstance(scan_date({}), date)
    monkeypatch.setenv("EKSGUARD_TODAY", "2026-13-01")
    with pytest.raises(RuleError, match="EKSGUARD_TODAY"):
        scan_date({})
