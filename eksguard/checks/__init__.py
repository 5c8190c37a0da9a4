"""Python checks: cross-object rules, or logic too clever for a JSON Schema.

A check is a function ``(platform, params) -> iterable of Violation`` plus a JSON
Schema for its params. Rule files name it with ``check: <name>``; one check may back
several rules with different params. Checks ask the platform model and never open
files. They are registered through the ``eksguard_register_checks`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from eksguard.findings import Violation
from eksguard.model import Platform

CheckFunc = Callable[[Platform, dict], Iterable[Violation]]


@dataclass(frozen=True)
class Check:
    name: str
    func: CheckFunc
    params_schema: dict = field(default_factory=lambda: {"type": "object", "additionalProperties": False})
    defaults: dict = field(default_factory=dict)
    #: The check compares with ``platform.base`` (``scan --diff-base REF``): its findings
    #: are about the change itself and are reported whatever lines they point at.
    compares_base: bool = False
    #: What a comparing check reads of ``platform.base``: model classes (``Cluster``) or
    #: Kubernetes kinds (``"Deployment"``). REF's platform then keeps only those
    #: (:func:`eksguard.engine.retention.base_keep`); empty means anything.
    base_reads: tuple = ()


def gpu_check(name: str, func: CheckFunc) -> Check:
    """A check with the ``gpu_categories`` option (RULES.md: the instance families and
    categories treated as GPU), shared by the Karpenter pool rules so they agree."""
    from eksguard.model.kubernetes import GPU_CATEGORIES

    return Check(
        name,
        func,
        params_schema={
            "type": "object",
            "additionalProperties": False,
            "properties": {"gpu_categories": {"type": "array", "items": {"type": "string", "minLength": 1}}},
        },
        defaults={"gpu_categories": list(GPU_CATEGORIES)},
    )


def builtin_checks() -> list[Check]:
    """Every ``CHECK`` (or ``CHECKS`` list) of the modules in this package: adding a
    check is adding a module, with no registry to edit."""
    import importlib
    import pkgutil

    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "CHECKS", ()))
        if hasattr(module, "CHECK"):
            found.append(module.CHECK)
    return found
