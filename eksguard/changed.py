"""``scan --changed-files``: scan the whole project, report what touches the given files.

pre-commit passes only the staged files, but cross-file rules need the rest of the
repository (the IngressClass of an Ingress, the PodDisruptionBudget of a Deployment,
the ``variables.tf`` next to a cluster). So the model is built from the project root
(``--project-root``, default the git top-level, else the working directory) and only
findings *related* to a changed file are reported. A finding is related when its
location or one of the related locations it lists (at most ``MAX_RELATED``, see
:mod:`eksguard.findings`) lies in the *scope* of a changed file:

- the file itself (a folder given: everything below it);
- a file inside a Helm chart: the whole (outermost) chart, since a values or helper
  change moves findings into any template;
- a file inside a kustomization: that kustomization, its local bases and the
  resource and patch files they list (rendered objects point into them);
- a ``.tf`` / ``terraform.tfvars`` / ``*.auto.tfvars`` file: the other files of its
  folder (one Terraform module is evaluated together).

What this misses: a finding that a *deleted* file causes elsewhere (pre-commit does
not pass deleted files), and effects that reach further than the scopes above (a
Terraform module called from another folder). ``eksguard-project`` covers both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from eksguard.adapters.folders import CHART_FILES, KUSTOMIZATION_FILES
from eksguard.discover import UsageError, real_path
from eksguard.findings import Finding

_TF_SUFFIXES = (".tf", ".auto.tfvars")
_TF_NAMES = ("terraform.tfvars",)


@dataclass
class ChangedScope:
    root: Path  # what is scanned
    files: set[str] = field(default_factory=set)  # real paths
    folders: set[str] = field(default_factory=set)  # every file directly inside
    trees: set[str] = field(default_factory=set)  # every file below
    outside: list[str] = field(default_factory=list)  # changed paths outside the root
    #: (working folder, location path as findings show it) -> real path, and folder ->
    #: real folder, for :meth:`related`; kept for the scope's life: the findings and the
    #: suppressed findings name the same files.
    reals: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)
    real_folders: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def scan_paths(self) -> list[str]:
        """The project root, plus changed paths outside it (scanned, though alone)."""
        return [str(self.root), *self.outside]

    def covers(self, path: str) -> bool:
        if path in self.files or os.path.dirname(path) in self.folders:
            return True
        return any(path == t or path.startswith(t + os.sep) for t in self.trees)

    def related(self, finding: Finding, cwd: Path) -> bool:
        """One ``realpath`` per file, not per location (:attr:`reals`): the findings of a
        5,000-file repository name ~25,000 locations in a few thousand files, and their
        ``realpath`` was a third of a pre-commit run there."""
        reals = self.reals
        base = os.fspath(cwd)
        for location in (finding.location, *(r.location for r in finding.related)):
            path = location.path
            if path == "<stdin>":
                continue
            real = reals.get((base, path))
            if real is None:
                real = reals[base, path] = self._real(os.path.join(base, path))
            if self.covers(real):
                return True
        return False

    def _real(self, path: str) -> str:
        return real_path(path, self.real_folders)

    def filter(self, findings: list[Finding], cwd: Path) -> list[Finding]:
        return [f for f in findings if self.related(f, cwd)]


def changed_scope(paths: list[str], cwd: Path, project_root: str | None = None) -> ChangedScope:
    """The scope of ``paths`` (files or folders, relative to ``cwd``) in the project."""
    if project_root is not None:
        root = (cwd / project_root).resolve()
        if not root.is_dir():
            raise UsageError(f"--project-root {project_root}: not a folder")
    else:
        from eksguard.formatters import repo_root

        root = repo_root(cwd).resolve()
    scope = ChangedScope(root)
    for raw in paths:
        if raw == "-":
            raise UsageError("--changed-files cannot read standard input")
        path = Path(os.path.realpath(cwd / raw))
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_dir():
            scope.trees.add(str(path))
            if not _inside(path, root):
                scope.outside.append(str(path))
            continue
        scope.files.add(str(path))
        if not _inside(path, root):
            scope.outside.append(str(path))  # scanned, but correlated with nothing
            continue
        unit = _unit(path.parent, root)
        if unit is not None:
            _add_unit(scope, unit)
        elif path.name.endswith(_TF_SUFFIXES) or path.name in _TF_NAMES:
            scope.folders.add(str(path.parent))
    return scope


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _unit(folder: Path, root: Path) -> tuple[str, Path] | None:
    """The outermost chart holding ``folder``, else its nearest kustomization."""
    chart = kustomization = None
    current = folder
    while True:
        if any((current / n).is_file() for n in CHART_FILES):
            chart = current
        if kustomization is None and any((current / n).is_file() for n in KUSTOMIZATION_FILES):
            kustomization = current
        if current == root or current.parent == current:
            break
        current = current.parent
    if chart is not None:
        return ("chart", chart)
    if kustomization is not None:
        return ("kustomization", kustomization)
    return None


def _add_unit(scope: ChangedScope, unit: tuple[str, Path]) -> None:
    kind, folder = unit
    scope.trees.add(str(folder))
    if kind != "kustomization":
        return
    from eksguard.adapters.kustomize import closure

    try:
        kustomizations = closure(folder)
    except Exception:  # noqa: BLE001 - a broken kustomization is reported by the scan itself
        return
    for k in kustomizations:
        scope.trees.add(os.path.realpath(k.folder))
        scope.files.update(os.path.realpath(p) for p in (*k.resources, *k.patches))
