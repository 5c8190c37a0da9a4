"""Terraform: ``.tf`` files (HCL) and ``terraform show -json`` plans, one model mapping.

A Terraform module is a folder: ``var.x`` resolves against the ``variable`` blocks of
every ``.tf`` file beside it, an access policy association finds its access entry
in another file, a node group its launch template. So each ``.tf`` source is read in
the context of its folder (parsed once per scan and cached), and lifts the objects
it declares itself, located in its own text.

Modules of this package:

- :mod:`.hcl` parses with tree-sitter-hcl (imported on the first ``.tf`` file only)
  and evaluates literals into positioned YAML-like values;
- :mod:`.values` reads those values (and plan JSON values) the same way;
- :mod:`.resources` maps ``aws_*`` resources, :mod:`.k8s` ``kubernetes_*``,
  ``kubectl_manifest``, ``kubernetes_manifest`` and ``helm_release``, and
  :mod:`.module` the terraform-aws-modules/eks module;
- :mod:`.plan` reads plan JSON through the same mappers.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath

from eksguard.adapters import Sink, Source
from eksguard.adapters.source import Unreadable, observed, read_text
from eksguard.findings import Location
from eksguard.limits import DEFAULT, Limits, limits_of
from eksguard.model import Origin

SUFFIX = ".tf"


@lru_cache(maxsize=1)
def mappers() -> dict:
    """resource type (or ``module``) -> mapping function, for HCL and plans alike (built
    once: every file asks)."""
    from eksguard.adapters.terraform import k8s, module, resources

    return {**resources.MAPPERS, **k8s.MAPPERS, **module.MAPPERS}


def lift_decls(decls: list, context, sink: Sink) -> None:
    """Run the mapper of each declaration; a mapper bug is one EKS001, never a crash."""
    table = mappers()
    for decl in decls:
        mapper = table.get("module" if decl.mode == "module" else decl.type) if decl.mode != "data" else None
        if mapper is None:
            continue
        try:
            mapper(decl, context, sink)
        except Exception as exc:  # noqa: BLE001 - isolation boundary: one odd block never stops a scan
            if os.environ.get("EKSGUARD_DEBUG") == "1":
                raise
            sink.problem("EKS001", decl.location,
                         f"could not read {decl.address} ({type(exc).__name__}: {exc}); please report it")


def _in_context(name: str) -> bool:
    """A file of a module folder that gives the others context (variables, locals, tfvars)."""
    return name.endswith(SUFFIX) or name == "terraform.tfvars" or name.endswith(".auto.tfvars")


class _Folder:
    """One Terraform module folder: every file parsed and evaluated once per scan."""

    def __init__(self, folder: Path, display_dir: PurePosixPath, current: Path, current_text: str,
                 limits: Limits = DEFAULT):
        from eksguard.adapters.terraform import hcl
        from eksguard.adapters.terraform.resources import Declarations
        from eksguard.adapters.terraform.values import Decl

        parsed = []
        for path in sorted(folder.iterdir()):
            name = path.name
            if not _in_context(name):
                continue
            if path == current:
                text = current_text
            elif path.is_symlink() or not path.is_file():
                continue
            else:
                try:
                    text = read_text(Source(name, path), limits.max_terraform_file_size, limits=limits)
                except Unreadable:
                    continue
            display = (display_dir / name).as_posix() if str(display_dir) not in ("", ".") else name
            parsed.append((path, hcl.parse(text, display)))
        scope = hcl.Scope([p for _, p in parsed], limits.max_terraform_nesting)
        self.files: dict[Path, hcl.HclFile] = {}
        #: The text of each ``.tf`` file, read once: its own lift shows it to the scan's
        #: observer (the suppression log) rather than reading the file again.
        self.texts: dict[Path, str] = {}
        decls: list = []
        for path, one in parsed:
            if not path.name.endswith(SUFFIX):
                continue
            evaluated = hcl.evaluate(one, scope)
            self.files[path] = evaluated
            self.texts[path] = current_text if path == current else one.text
            origin = Origin(one.path, "terraform")
            for block in evaluated.blocks:
                if block.type in ("resource", "data") and len(block.labels) >= 2:
                    decls.append(Decl(block.type, block.labels[0], block.labels[1], block.address, block.body,
                                      origin, block.mark))
                elif block.type == "module" and block.labels:
                    decls.append(Decl("module", "module", block.labels[0], block.address, block.body, origin,
                                      block.mark))
        self.decls = Declarations(decls)


#: Folders whose parse a :class:`TerraformAdapter` keeps. A folder's files come one
#: after another in discovery order (a subfolder's files may come between them), so a
#: few suffice to parse each folder once; keeping every folder kept every syntax tree
#: of the repository until the scan ended (~30 MiB of a 5,000-file scan's peak).
FOLDERS_KEPT = 4


class TerraformAdapter:
    """Lifts ``.tf`` files (resources, data sources, the EKS module) into the model."""

    name = "terraform"
    #: The files of a folder are lifted in one process, which parses the folder once.
    lift_unit = "folder"
    #: CPU per byte against plain manifests (engine/parallel.py balances chunks by it).
    lift_cost = 2.5

    def __init__(self) -> None:
        self._folders: dict[Path, _Folder] = {}  # the FOLDERS_KEPT most recently used
        self._context: dict[Path, list[Path]] = {}  # cache_inputs, per folder

    def claims(self, source: Source) -> bool:
        return not source.is_dir and source.path is not None and source.suffix == SUFFIX

    def cache_inputs(self, source: Source) -> list:
        """What :meth:`lift` reads: the file and every context file of its folder, as
        :class:`_Folder` selects them (the parse cache, ``engine/cache.py``)."""
        assert source.path is not None
        folder = source.path.parent
        if folder not in self._context:
            self._context[folder] = [p for p in sorted(folder.iterdir())
                                     if _in_context(p.name) and not p.is_symlink() and p.is_file()]
        return [source.path, *(p for p in self._context[folder] if p != source.path)]

    def lift(self, source: Source, sink: Sink) -> None:
        assert source.path is not None
        limits = limits_of(sink.options)
        path = source.path.absolute()
        folder = self._folders.pop(path.parent, None)
        if folder is not None and path in folder.files:  # read and parsed with its folder
            observed(source, folder.texts[path])
        else:
            try:
                text = read_text(source, limits.max_terraform_file_size, limits=limits,
                                 size_key="max-terraform-file-size")
            except Unreadable as exc:
                if folder is not None:
                    self._folders[path.parent] = folder
                sink.problem("EKS001", Location(source.display, exc.line, exc.column), exc.message)
                return
            try:
                folder = _Folder(path.parent, PurePosixPath(source.display).parent, path, text, limits)
            except RecursionError:  # pragma: no cover - MAX_DEPTH stops this first
                sink.problem("EKS001", Location(source.display, 1, 1), "nesting too deep")
                return
        self._folders[path.parent] = folder  # last: the most recently used
        while len(self._folders) > FOLDERS_KEPT:
            del self._folders[next(iter(self._folders))]
        evaluated = folder.files[path]
        for problem in evaluated.problems:
            sink.problem("EKS001", Location(source.display, problem.line, problem.column), problem.message)
        mine = [d for d in folder.decls.decls if d.origin.path == evaluated.path]
        lift_decls(mine, folder.decls, sink)

