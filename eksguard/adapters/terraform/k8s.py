"""Kubernetes objects declared in Terraform, lifted into the same model as their YAML twins.

``kubernetes_*`` resources (hashicorp/kubernetes provider) write objects in HCL
blocks: ``metadata {}``, ``spec { rule { http { path {...} } } }`` with snake_case
names and singular block names for lists. They become a Kubernetes-shaped mapping
(camelCase, ``rule`` blocks -> ``rules: [...]``) whose every key keeps the position of
the HCL attribute or block that wrote it, so the Kubernetes rules run unchanged and
point into the ``.tf`` file. Maps written as attribute values (``annotations``,
``labels``, ``data``) are user data and keep their keys.

``kubernetes_manifest.manifest`` already mirrors the YAML; ``kubectl_manifest.yaml_body``
is YAML text (usually a heredoc), read with the YAML loader and positioned in the
``.tf`` file. ``helm_release`` becomes a :class:`~eksguard.model.HelmRelease` with its
values parsed and merged and its ``set`` entries, in the v2 block form and the v3
list-of-objects form.
"""

from __future__ import annotations

from eksguard.adapters import Sink
from eksguard.adapters.terraform.resources import Declarations
from eksguard.adapters.terraform.values import Decl, embedded_documents, plain
from eksguard.model import UNKNOWN, HelmRelease, make_object, version_text
from eksguard.yaml_loader import YMap, YSeq

#: resource type -> (apiVersion, kind)
KINDS = {
    "kubernetes_ingress_v1": ("networking.k8s.io/v1", "Ingress"),
    "kubernetes_ingress": ("networking.k8s.io/v1beta1", "Ingress"),
    "kubernetes_ingress_class_v1": ("networking.k8s.io/v1", "IngressClass"),
    "kubernetes_ingress_class": ("networking.k8s.io/v1", "IngressClass"),
    "kubernetes_service_v1": ("v1", "Service"),
    "kubernetes_service": ("v1", "Service"),
    "kubernetes_service_account_v1": ("v1", "ServiceAccount"),
    "kubernetes_service_account": ("v1", "ServiceAccount"),
    "kubernetes_config_map_v1": ("v1", "ConfigMap"),
    "kubernetes_config_map": ("v1", "ConfigMap"),
    "kubernetes_config_map_v1_data": ("v1", "ConfigMap"),
    "kubernetes_deployment_v1": ("apps/v1", "Deployment"),
    "kubernetes_deployment": ("apps/v1", "Deployment"),
    "kubernetes_stateful_set_v1": ("apps/v1", "StatefulSet"),
    "kubernetes_stateful_set": ("apps/v1", "StatefulSet"),
    "kubernetes_daemon_set_v1": ("apps/v1", "DaemonSet"),
    "kubernetes_daemonset": ("apps/v1", "DaemonSet"),
    "kubernetes_pod_disruption_budget_v1": ("policy/v1", "PodDisruptionBudget"),
    "kubernetes_horizontal_pod_autoscaler_v2": ("autoscaling/v2", "HorizontalPodAutoscaler"),
}

#: block names the provider writes in the singular for Kubernetes lists
LIST_BLOCKS = {
    "rule": "rules", "path": "paths", "tls": "tls", "container": "containers", "init_container": "initContainers",
    "port": "ports", "env": "env", "env_from": "envFrom", "volume": "volumes", "volume_mount": "volumeMounts",
    "toleration": "tolerations", "image_pull_secret": "imagePullSecrets", "image_pull_secrets": "imagePullSecrets",
    "host_aliases": "hostAliases", "match_expressions": "matchExpressions", "secret": "secrets",
    "topology_spread_constraint": "topologySpreadConstraints", "metric": "metrics", "subject": "subjects",
    "node_selector_term": "nodeSelectorTerms", "preferred_during_scheduling_ignored_during_execution":
    "preferredDuringSchedulingIgnoredDuringExecution",
}
#: in these parents the block is a single object although its name is a list elsewhere
_SINGLE_IN = {("service", "port")}
#: provider arguments that are not part of the object
_PROVIDER_ONLY = {"wait_for_load_balancer", "wait_for_rollout", "timeouts", "force", "field_manager", "lifecycle",
                  "depends_on", "count", "for_each", "provider", "dynamic", "id"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _object(body: dict, parent: str = "") -> YMap:
    """An HCL block body (or a plan's block object) as a Kubernetes mapping."""
    out = YMap()
    out.mark = getattr(body, "mark", (1, 1))
    items = body.marked_items() if isinstance(body, YMap) else ((k, v, None, None) for k, v in body.items())
    for key, value, key_mark, value_mark in items:
        if key in _PROVIDER_ONLY or value is None:
            continue
        mark = key_mark or out.mark
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            if key in LIST_BLOCKS and (parent, key) not in _SINGLE_IN:
                marks = value.item_marks() if isinstance(value, YSeq) else [None] * len(value)
                seq = YSeq()
                seq.mark = mark
                for item, item_mark in zip(value, marks):
                    seq.append_marked(_object(item, key), item_mark or mark)
                out.put(LIST_BLOCKS[key], seq, mark, mark)
                continue
            converted: object = _object(value[0], key)
        elif isinstance(value, str) and key == "replicas" and value.isdigit():
            converted = int(value)
        else:
            converted = value  # scalars, lists of scalars and user maps (labels, annotations) as written
        out.put(camel(key), converted, mark, value_mark or mark)
    return out


def kubernetes_resource(decl: Decl, decls: Declarations, sink: Sink) -> None:
    api_version, kind = KINDS[decl.type]
    body = _object(decl.body)
    out = YMap()
    out.mark = decl.mark
    out.put("apiVersion", api_version, decl.mark, decl.mark)
    out.put("kind", kind, decl.mark, decl.mark)
    for key, value, key_mark, value_mark in body.marked_items():
        out.put(key, value, key_mark, value_mark)
    sink.add(make_object(plain(out), decl.origin))


def kubernetes_manifest(decl: Decl, decls: Declarations, sink: Sink) -> None:
    """``manifest`` as an HCL object, or as ``yamldecode``/``jsondecode`` of a literal
    string or heredoc (positions mapped into the ``.tf``, broken YAML an EKS001)."""
    manifest = decl.body.get("manifest")
    if isinstance(manifest, dict) and isinstance(manifest.get("kind"), str):
        sink.add(make_object(plain(manifest), decl.origin))
        return
    body = decl.read()
    expr = body.expr("manifest")
    if manifest is UNKNOWN and expr is not None and expr.partial is not None \
            and expr.text.lstrip().startswith(("yamldecode(", "jsondecode(")):
        docs = embedded_documents(UNKNOWN, expr, body.at("manifest"), sink, f"{decl.address} manifest")
        doc = docs[0] if docs else None  # yamldecode reads exactly one document
        if isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str):
            sink.add(make_object(doc, decl.origin))


def kubectl_manifest(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    if not body.has("yaml_body"):
        return
    docs = embedded_documents(body.get("yaml_body"), body.expr("yaml_body"), body.at("yaml_body"), sink,
                              f"{decl.address} yaml_body")
    override = body.get("override_namespace")
    for doc in docs:
        if isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str):
            if isinstance(override, str) and isinstance(doc.get("metadata"), YMap):
                doc["metadata"].put("namespace", str(override), body.key_mark("override_namespace"))
            sink.add(make_object(doc, decl.origin))


def _merge(base: dict, extra: dict) -> None:
    """Helm's values merge: maps merge key by key, anything else is replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        elif isinstance(base, YMap) and isinstance(extra, YMap):
            base.put(key, value, extra.key_mark(key) or extra.mark, extra.value_mark(key) or extra.mark)
        elif isinstance(base, YMap):
            base.put(key, value)
        else:
            base[key] = value


def helm_release(decl: Decl, decls: Declarations, sink: Sink) -> None:
    body = decl.read()
    release = HelmRelease(body.text("name") or decl.address, decl.origin, decl.location)
    body.put(release, "chart", "chart")
    body.put(release, "repository", "repository")
    body.put(release, "namespace", "namespace", default="default")
    body.put(release, "version", "version", convert=version_text)
    if body.has("values"):
        items = body.get("values")
        merged = YMap()
        merged.mark = body.key_mark("values")
        if isinstance(items, list):
            marks = items.item_marks() if isinstance(items, YSeq) else []
            unreadable = False
            for i, item in enumerate(items):
                where = decl.origin.at(marks[i]) if i < len(marks) and marks[i] else body.at("values")
                expr = items.exprs.get(i) if hasattr(items, "exprs") else None
                if item is UNKNOWN and (expr is None or (expr.partial is None and expr.data is None)):
                    unreadable = True  # file("values.yaml"), templatefile(...): values we cannot see
                for doc in embedded_documents(item, expr, where, sink, f"{decl.address} values[{i}]"):
                    if isinstance(doc, dict):
                        _merge(merged, doc)
            # Values merged from what could be read would look complete; they are not.
            release.set("values", UNKNOWN if unreadable else merged, body.at("values"))
        else:
            release.set("values", UNKNOWN, body.at("values"))
    settings: dict = {}
    first = None
    for key in ("set", "set_list", "set_sensitive"):
        for entry in body.blocks(key):  # v2 blocks and v3 list of objects read alike
            name = entry.get("name")
            if isinstance(name, str):
                settings[str(name)] = plain(entry.get("value"))
                first = first or body.at(key)
    if first is not None:
        release.set("set", settings, first)
    sink.add(release)


MAPPERS = {
    **{type_: kubernetes_resource for type_ in KINDS},
    "kubernetes_manifest": kubernetes_manifest,
    "kubectl_manifest": kubectl_manifest,
    "helm_release": helm_release,
}
