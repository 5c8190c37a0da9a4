"""The platform model's building blocks: where an object came from, and the object itself.

Every model object remembers each place it was written (file, line, column, format
and, for rendered Helm output, the template). Rules ask objects for values and for
locations; they never open or parse files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from eksguard.yaml_loader import locate, value_mark
from eksguard.findings import Location, ObjectRef, pickled_by_fields

#: Kinds that live outside namespaces; everything else defaults to ``default``.
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "IngressClass",
        "IngressClassParams",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PersistentVolume",
        "PriorityClass",
        "NodePool",
        "EC2NodeClass",
        "NodeClaim",
        "Provisioner",
        "AWSNodeTemplate",
        "ENIConfig",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
    }
)


class Target(NamedTuple):
    """Where a line of rendered text came from: a file, its line and the key's column.

    ``shift``, when set, says the rendered line was matched key for key to this line:
    a mark's column moves by ``shift`` (so a value's column lands on the value, or on
    the template action that produced it). Otherwise every mark on the rendered line
    maps to ``column``.
    """

    path: str
    line: int
    column: int = 1
    shift: int | None = None


class LineMap:
    """Maps marks in generated text (``helm template``, ``kubectl kustomize`` output) back
    to the file that produced them, line by line. Lines it does not know map to
    ``default``. Built by the adapter that renders; read only by :meth:`Origin.at`."""

    __slots__ = ("lines", "default")

    def __init__(self, lines: dict[int, Target], default: Target):
        self.lines = lines
        self.default = default

    def at(self, mark: tuple[int, int]) -> tuple[str, int, int]:
        target = self.lines.get(mark[0], self.default)
        column = target.column
        if target.shift is not None:
            column = max(column, mark[1] + target.shift)
        return target.path, target.line, column

    def __repr__(self) -> str:
        return f"<LineMap {len(self.lines)} lines, default {self.default}>"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a document came from.

    ``format`` is one of ``yaml``, ``json``, ``helm-output`` (rendered chart output,
    from a file or stdin), ``helm-chart``, ``kustomize``, ``eksctl``, ``terraform``,
    ``terraform-plan`` or ``shell``; plugins may add their own. ``template`` is the Helm
    template a rendered document came from; ``module`` the Terraform module address
    (``module.eks``) an object was declared through.
    """

    path: str
    format: str
    document: int = 0
    template: str | None = None
    module: str | None = None
    #: For rendered text (a chart, a kustomization): where each rendered line came from.
    #: ``path`` then names the file most of the document came from (the template).
    lines: LineMap | None = field(default=None, compare=False, repr=False)

    def at(self, mark: tuple[int, int]) -> Location:
        """The one place a ``(line, column)`` mark becomes a :class:`Location`."""
        if self.lines is not None:
            path, line, column = self.lines.at(mark)
            return Location(path, line, column, template=self.template)
        return Location(self.path, mark[0], mark[1], template=self.template)


def text(value: object) -> str | None:
    """A scalar as Kubernetes would read it (annotation values are strings), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


#: How a name written but not known statically (``${var.name}``, ``--namespace "$1"``)
#: shows in messages. As a namespace (``${var.ns}``) it is also the object's namespace:
#: no real namespace is spelled like this, so it matches no other object's.
UNRESOLVED = "<unresolved>"
UNRESOLVED_NAMESPACE = UNRESOLVED


class K8sObject:
    """A Kubernetes-shaped object (``apiVersion``/``kind``/``metadata``), whatever its source.

    ``body`` is the object's mapping with positions; ``prefix`` is its path inside the
    document (``("items", 3)`` for an item of a ``List``). Accessors are defensive:
    a value of the wrong type reads as missing, never as an exception.
    """

    __slots__ = ("body", "origin", "prefix", "_root", "_kind", "_namespace")

    def __init__(self, body: dict, origin: Origin, prefix: tuple = (), root: object = None):
        self.body = body
        self.origin = origin
        self.prefix = prefix
        self._root = body if root is None else root

    # -- identity ---------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        return text(self.body.get("apiVersion")) or ""

    @property
    def group(self) -> str:
        """The API group (``networking.k8s.io``), empty for the core group."""
        return self.api_version.rpartition("/")[0]

    # ``kind`` and ``namespace`` are read once: the platform indexes an object by them
    # when it is added, so they are fixed from then on, and cross-object checks ask for
    # them millions of times on a big repository (bench/run.py).
    @property
    def kind(self) -> str:
        try:
            return self._kind
        except AttributeError:
            self._kind = text(self.body.get("kind")) or ""
            return self._kind

    @property
    def metadata(self) -> dict:
        meta = self.body.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str | None:
        return text(self.metadata.get("name"))

    @property
    def namespace(self) -> str | None:
        """The namespace as written; ``default`` for namespaced kinds that name none."""
        try:
            return self._namespace
        except AttributeError:
            pass
        if self.kind in CLUSTER_SCOPED:
            self._namespace = None
        elif self.is_unknown("metadata", "namespace"):
            self._namespace = UNRESOLVED_NAMESPACE
        else:
            self._namespace = text(self.metadata.get("namespace")) or "default"
        return self._namespace

    @property
    def shown_name(self) -> str:
        """The name for messages: ``<unresolved>`` when it is written but not known
        statically (a Terraform variable, a template), ``<unnamed>`` when absent."""
        name = self.name
        if name:
            return name
        return UNRESOLVED if self.is_unknown("metadata", "name") else "<unnamed>"

    @property
    def display_name(self) -> str:
        """``namespace/name`` (or ``name`` for cluster-scoped kinds), for messages."""
        name = self.shown_name
        return f"{self.namespace}/{name}" if self.namespace else name

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.name, self.namespace)

    @property
    def labels(self) -> dict[str, str]:
        return string_map(self.metadata.get("labels"))

    @property
    def annotations(self) -> dict[str, str]:
        return string_map(self.metadata.get("annotations"))

    # -- values -----------------------------------------------------------------------
    def get(self, *path: str | int, default: object = None) -> object:
        """The value at ``path`` or ``default`` when any step is missing or mistyped."""
        node: object = self.body
        for segment in path:
            if isinstance(node, dict) and not isinstance(segment, int):
                if segment not in node:
                    return default
                node = node[segment]
            elif isinstance(node, list) and isinstance(segment, int) and -len(node) <= segment < len(node):
                node = node[segment]
            else:
                return default
        return node

    def is_unknown(self, *path: str | int) -> bool:
        """True when the value at ``path``, a step on the way to it, or one of its
        direct entries could not be resolved (a Terraform variable without a literal
        default, a function call): rules that depend on it stay quiet."""
        from eksguard.model.aws import UNKNOWN

        node: object = self.body
        for segment in path:
            if node is UNKNOWN:
                return True
            if isinstance(node, dict) and not isinstance(segment, int):
                node = node.get(segment)
            elif isinstance(node, list) and isinstance(segment, int) and -len(node) <= segment < len(node):
                node = node[segment]
            else:
                return False
        if node is UNKNOWN:
            return True
        if isinstance(node, dict):
            return any(v is UNKNOWN for v in node.values())
        if isinstance(node, list):
            return any(v is UNKNOWN for v in node)
        return False

    # -- positions --------------------------------------------------------------------
    def kind_location(self) -> Location:
        """The object's ``kind:`` line: where findings about something missing point."""
        mark, found = locate(self.body, ("kind",))
        if not found:
            mark = getattr(self.body, "mark", (1, 1))
        return self.origin.at(mark)

    def location(self, *path: str | int) -> Location:
        """Where the key at ``path`` was written; the ``kind:`` line if it is missing."""
        mark, found = locate(self.body, tuple(path))
        if not found:
            return self.kind_location()
        return self.origin.at(mark)

    def value_location(self, *path: str | int) -> Location:
        """Where the value at ``path`` starts (its own line for block values)."""
        mark = value_mark(self.body, tuple(path))
        return self.origin.at(mark) if mark else self.location(*path)

    def has(self, *path: str | int) -> bool:
        return locate(self.body, tuple(path))[1]

    def json_path(self, *path: str | int) -> str:
        """RFC 6901 pointer of ``path`` within the object (stable; used in fingerprints)."""
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)

    @staticmethod
    def pointer_path(pointer: str) -> tuple[str, ...]:
        """The path an RFC 6901 pointer names: the inverse of :meth:`json_path` (a rule
        file's ``fix.ops`` address values this way)."""
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])

    def __repr__(self) -> str:
        return f"<{self.kind} {self.namespace or ''}/{self.name} @ {self.origin.path}>"


def string_map(value: object) -> dict[str, str]:
    """A ``map[string]string`` (labels, annotations) read defensively."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for key, item in value.items():
        as_text = text(item)
        if isinstance(key, str) and as_text is not None:
            out[key] = as_text
    return out
