"""Which lifted objects the model keeps: those a rule of this scan can read.

Why: the model is what a scan holds in memory to the end, since the cross-file rules
compare objects from anywhere in the repository. Most of a real platform repository's
manifests are of kinds no rule reads: CustomResourceDefinitions (the rendered charts of
Karpenter, cert-manager or Prometheus carry hundreds of KiB of schema each), RBAC,
Secrets, NetworkPolicies, webhooks. Those are dropped as soon as they are lifted,
here or in a worker (then they are not even pickled back), so memory grows with what
the rules judge, not with everything the repository holds.

What the built-in rules read, and so what is kept:

- every AWS object of the model (clusters, add-ons, node groups, roles...);
- Kubernetes objects of a kind with a typed view (:data:`eksguard.model.kubernetes.VIEWS`),
  or of :data:`READ_KINDS` (kinds a check reads by name without a view); of ConfigMaps,
  only ``kube-system/aws-auth`` (application settings are most of a repository's
  ConfigMaps, and no check reads them);
- anything of Karpenter's API groups (EKS405 reports every object of a retired version);
- any object that carries an ``eksguard.io/ignore`` annotation: the suppression is
  judged (used, or EKS003 says it is not) whatever the object's kind;
- the kinds named by declarative rules of the scan (``kinds:`` in a rule file).

When a rule of the scan runs a check that is not built in, or a plugin post-processes
findings (``eksguard_process_findings``, which sees the platform), nothing is dropped:
what they read cannot be known. ``tests/test_retention.py`` checks that every fixture
gives the same findings with and without dropping: a new check that reads a new kind
fails there until the kind is added to :data:`READ_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from eksguard.engine.suppress import ANNOTATION
from eksguard.model import K8sObject
from eksguard.model.kubernetes import VIEWS, ConfigMap

#: Kubernetes kinds built-in checks read that have no typed view: pods, jobs and cron
#: jobs for Karpenter's retired annotations (EKS405), ClusterRoleBindings for who is
#: cluster-admin (EKS103).
READ_KINDS = frozenset({"Pod", "Job", "CronJob", "ClusterRoleBinding"})
KARPENTER_GROUPS = ("karpenter.sh/", "karpenter.k8s.aws/")


@dataclass(frozen=True)
class Retention:
    """Keeps the objects a scan's rules can read (see the module docstring)."""

    #: Kinds declarative rules of the scan read, beyond what the built-in checks read.
    kinds: frozenset[str] = frozenset()

    def keeps(self, obj: object) -> bool:
        if not isinstance(obj, K8sObject):
            return True
        kind = obj.kind
        if kind in self.kinds:
            return True
        if kind == "ConfigMap":  # application settings: the checks read kube-system/aws-auth only
            if isinstance(obj, ConfigMap) and obj.is_aws_auth:
                return True
        elif kind in VIEWS or kind in READ_KINDS:
            return True
        api_version = obj.api_version
        if isinstance(api_version, str) and api_version.startswith(KARPENTER_GROUPS):
            return True
        return ANNOTATION in obj.annotations

    def kept(self, objects: list) -> list:
        return [obj for obj in objects if self.keeps(obj)]


@dataclass(frozen=True)
class BaseKeep:
    """What REF's platform (``scan --diff-base``) keeps of what was lifted there: the
    objects the scan's comparing checks read (their ``base_reads``). REF is lifted from
    the same cache entries as today's scan (same retention), then cut to these as each
    source is read: a pull request's scan held two whole models, 105 MiB against 67 MiB
    for the scan alone on bench/'s 5,000 files, for EKS504, which reads REF's clusters."""

    types: tuple = ()  # model classes
    kinds: frozenset[str] = frozenset()  # Kubernetes kinds

    def keeps(self, obj: object) -> bool:
        if isinstance(obj, K8sObject):
            return obj.kind in self.kinds
        return bool(self.types) and isinstance(obj, self.types)


def base_keep(rules: list, plugins) -> BaseKeep | None:
    """The :class:`BaseKeep` for a scan running ``rules``; None to keep all of REF
    (a check from a plugin may read anything of it, as may a plugin that post-processes
    findings with the platform)."""
    checks = _built_in_checks(rules, plugins)
    if checks is None:
        return None
    types: list = []
    kinds: set[str] = set()
    for check in checks:
        if check.compares_base:
            if not check.base_reads:
                return None
            types.extend(t for t in check.base_reads if isinstance(t, type))
            kinds.update(t for t in check.base_reads if isinstance(t, str))
    return BaseKeep(tuple(types), frozenset(kinds))


def retention_for(rules: list, plugins) -> Retention | None:
    """The retention for a scan running ``rules``; None to keep everything (a check from a
    plugin, or a plugin that post-processes findings with the platform)."""
    if _built_in_checks(rules, plugins) is None:
        return None
    kinds = {kind for rule in rules if rule.judges_model and rule.check is None for kind in rule.kinds}
    return Retention(frozenset(kinds))


def _built_in_checks(rules: list, plugins) -> list | None:
    """The checks ``rules`` run, when every one is eksguard's own and no plugin
    post-processes findings; None otherwise: what a plugin reads cannot be known."""
    checks = plugins.checks()
    out = []
    for rule in rules:
        if not rule.judges_model or rule.check is None:
            continue  # declarative rules read the kinds they name
        check = checks.get(rule.check)
        if check is None or not getattr(check.func, "__module__", "").startswith("eksguard.checks."):
            return None
        out.append(check)
    if plugins.post_processors():
        return None
    return out
