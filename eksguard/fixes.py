"""What a check proposes to change, said in the model's terms rather than as text.

A check knows *what* is wrong (this annotation should be ``ip``, this pool needs
``on-demand``) and *where the model says it was written*; it does not know how to
edit a YAML file, a heredoc inside a ``.tf`` file or a shell line without damaging
it. So checks attach a :class:`Fix` made of the changes below to their
``Violation``; :mod:`eksguard.engine.fix` turns them into exact text edits (ruamel.yaml
round-trip for YAML, minimal token edits for HCL and scripts), verifies and writes
them, or reports them as suggestions where the input cannot be edited (Helm and
kustomize output, stdin, plans).

Paths are relative to the object (``K8sObject.get`` paths); the engine adds the
object's ``prefix`` inside its document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eksguard.findings import Location


@dataclass(frozen=True, eq=False)
class SetKey:
    """Set the value at ``path`` of a Kubernetes-shaped object, creating the mappings
    on the way when they are missing (adds an annotation, a limit, a setting)."""

    obj: object  # eksguard.model.base.K8sObject
    path: tuple
    value: object


@dataclass(frozen=True, eq=False)
class RemoveKey:
    """Remove the key (or list item) at ``path``; a mapping left empty by it goes too
    (``metadata.annotations`` with its only annotation removed)."""

    obj: object
    path: tuple


@dataclass(frozen=True, eq=False)
class AppendItem:
    """Append ``value`` to the list at ``path`` (unless it is already there)."""

    obj: object
    path: tuple
    value: object


@dataclass(frozen=True, eq=False)
class AddDocument:
    """A new YAML document written right after the document of ``obj``."""

    obj: object
    body: dict


@dataclass(frozen=True)
class ReplaceToken:
    """Replace the value token that spells ``old`` at or after ``location`` on its
    line (HCL strings, eksctl and script flag values). Quotes stay; so does the
    case style (``overwrite`` becomes ``preserve``). With ``follows``, the token must
    come after that text on the line (the attribute or flag it belongs to)."""

    location: Location
    old: str
    new: str
    follows: str = ""


@dataclass(frozen=True)
class InsertLine:
    """Insert ``text`` as a new line inside the block that opens on ``location``'s line
    (HCL ``{``), with the indentation of the block's first line."""

    location: Location
    text: str


@dataclass(frozen=True)
class EditText:
    """A raw replacement of columns ``start``..``end`` (1-based, end exclusive) on one
    line; an empty line left behind is removed. For comments (suppressions)."""

    path: str
    line: int
    start: int
    end: int
    text: str = ""


Change = SetKey | RemoveKey | AppendItem | AddDocument | ReplaceToken | InsertLine | EditText


@dataclass(frozen=True)
class Fix:
    """A fix for one violation: a concrete title ("set target-type to ip") and the
    changes that make it. ``applicability`` defaults to the rule's (``safe`` or
    ``unsafe`` in its ``fix:``); a check may lower it for one case."""

    title: str
    changes: tuple = field(default_factory=tuple)
    applicability: str | None = None
