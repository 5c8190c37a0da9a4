"""Terraform plan JSON (``terraform show -json plan.out``): values as Terraform resolved them.

A plan holds what HCL often hides behind variables and module calls: every resource
of every module (``module.eks.aws_eks_addon.this["coredns"]``) with its final
attribute values. Plans are ``.json`` files, as are manifests, so the adapter claims
by content: ``"format_version"`` near the start and ``"planned_values"`` or
``"resource_changes"`` within the first few hundred KB (``variables`` comes first and
can be long). It is registered before the Kubernetes adapter.

The file is loaded with the positional YAML loader (JSON is YAML), so findings point
at the key in the plan file. ``planned_values.root_module`` and its ``child_modules``
are walked recursively; each module's resources go through the same mappers as HCL
(the plan uses the same shape: nested blocks are lists of objects), with the module
address kept in :attr:`Origin.module`. A plan without ``planned_values`` falls back
to the ``after`` values of ``resource_changes`` that are not deletions.
"""

from __future__ import annotations

from eksguard.adapters import Sink, Source
from eksguard.adapters.source import Unreadable, read_text
from eksguard.findings import Location
from eksguard.model import Origin
from eksguard.yaml_loader import YamlProblem, YMap, load_documents

HEAD_BYTES = 4096  # "format_version" is the first key terraform writes
SNIFF_BYTES = 256 * 1024  # where "planned_values" / "resource_changes" must appear


def looks_like_plan(head: bytes) -> bool:
    return b'"format_version"' in head[:HEAD_BYTES] and (b'"planned_values"' in head or b'"resource_changes"' in head)


class TerraformPlanAdapter:
    """Lifts ``terraform show -json`` output into the model."""

    name = "terraform-plan"

    def claims(self, source: Source) -> bool:
        if source.stdin_data is not None:
            return looks_like_plan(source.stdin_data[:SNIFF_BYTES])
        if source.is_dir or source.path is None or source.suffix != ".json":
            return False
        try:
            with open(source.path, "rb") as handle:
                head = handle.read(HEAD_BYTES)
                if b'"format_version"' not in head:
                    return False
                head += handle.read(SNIFF_BYTES - HEAD_BYTES)
        except OSError:
            return False
        return looks_like_plan(head)

    def cache_inputs(self, source: Source) -> list | None:
        """What :meth:`lift` reads: the plan file alone (the parse cache, ``engine/cache.py``)."""
        return [source.path] if source.path is not None else None

    def lift(self, source: Source, sink: Sink) -> None:
        from eksguard.limits import limits_of

        limits = limits_of(sink.options)
        try:
            text = read_text(source, limits=limits)
        except Unreadable as exc:
            sink.problem("EKS001", Location(source.display, exc.line, exc.column), exc.message)
            return
        try:
            documents = load_documents(text, limits.yaml())
        except YamlProblem as problem:
            sink.problem("EKS001", Location(source.display, problem.line, problem.column),
                         f"Terraform plan JSON: {problem.message}")
            return
        plan = documents[0].value if documents else None
        if not isinstance(plan, dict):
            return
        planned = plan.get("planned_values")
        if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
            stack = [(planned["root_module"], 0)]
            while stack:  # iterative: module nesting never exhausts the stack
                mod, depth = stack.pop()
                resources = mod.get("resources")
                if isinstance(resources, list):
                    self._lift_module(source, mod.get("address"), [(r, r.get("values")) for r in resources
                                                                   if isinstance(r, dict)], sink)
                children = mod.get("child_modules")
                if isinstance(children, list) and depth < 100:
                    stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, dict))
            return
        changes = plan.get("resource_changes")
        if isinstance(changes, list):
            by_module: dict[str, list] = {}
            for change in changes:
                if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
                    continue
                actions = change["change"].get("actions")
                if isinstance(actions, list) and actions == ["delete"]:
                    continue
                after = change["change"].get("after")
                if isinstance(after, dict):
                    by_module.setdefault(str(change.get("module_address") or ""), []).append((change, after))
            for address, resources in by_module.items():
                self._lift_module(source, address, resources, sink)

    @staticmethod
    def _lift_module(source: Source, module: object, resources: list, sink: Sink) -> None:
        """``resources``: ``(entry, values)`` pairs, the entry holding address/type/name."""
        from eksguard.adapters.terraform import lift_decls
        from eksguard.adapters.terraform.resources import Declarations
        from eksguard.adapters.terraform.values import Decl

        origin = Origin(source.display, "terraform-plan", module=module if isinstance(module, str) and module else None)
        decls = []
        for resource, values in resources:
            if not isinstance(values, dict):
                continue
            kind, name = resource.get("type"), resource.get("name")
            if not isinstance(kind, str) or not isinstance(name, str):
                continue
            mode = "data" if resource.get("mode") == "data" else "resource"
            address = resource.get("address")
            mark = (resource.key_mark("address") or resource.mark) if isinstance(resource, YMap) else (1, 1)
            decls.append(Decl(mode, kind, name, str(address) if isinstance(address, str) else f"{kind}.{name}",
                              values, origin, mark))
        lift_decls(decls, Declarations(decls), sink)
