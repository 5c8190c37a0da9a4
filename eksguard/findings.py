"""What a scan produces: findings with exact locations, and how severities compare."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, fields
from operator import attrgetter


class Severity(enum.IntEnum):
    """SARIF levels, ordered so that ``--fail-on`` is a simple comparison."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


def pickled_by_fields(cls: type) -> type:
    """Pickle a slotted dataclass as its class and its fields' values, in order.

    Why: for a frozen dataclass with slots, ``dataclasses`` pickles through a Python
    ``__setstate__`` that asks ``fields()`` again for every object. The cache and the
    process pool move ~140,000 locations, settings and origins for bench/'s 20,000 files;
    a constructor call per object unpickles in half the time, pickles in a third and
    writes 15% fewer bytes. Apply it over ``@dataclass`` (the class it makes)."""
    names = tuple(f.name for f in fields(cls))
    values = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    cls.__reduce__ = lambda self: (type(self), values(self))
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file: 1-based line and column, as a person would count them.

    ``path`` is the display path (relative to the working directory when the file
    lies below it; ``<stdin>`` for standard input). ``template`` names the Helm
    template (``# Source:``) a rendered document came from.
    """

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    template: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ObjectRef:
    """Which platform object a finding is about (stable across line shifts)."""

    kind: str
    name: str | None
    namespace: str | None = None

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Related:
    """Another place involved in a cross-object finding (SARIF ``relatedLocations``)."""

    location: Location
    message: str


@dataclass
class Violation:
    """What a check reports; the engine adds the rule's code, name and severity."""

    location: Location
    message: str
    object: ObjectRef | None = None
    json_path: str = ""
    related: list[Related] = field(default_factory=list)
    #: What would repair it (:class:`eksguard.fixes.Fix`), when the check knows.
    fix: object = None


@dataclass(frozen=True)
class Suppression:
    """Why a finding is reported as suppressed (``eksguard/engine/suppress.py``): an
    in-source comment or the ``eksguard.io/ignore`` annotation, with its reason."""

    kind: str  # comment | annotation
    justification: str
    location: Location
    directive: str  # as written: ignore[EKS603]


#: Related places a finding lists, at most. A check that relates a finding to every
#: place of a repository-wide setting (prefix delegation turned on in each of 300
#: cluster configs) would otherwise list them all on every finding: output that grows
#: with findings times places (bench/'s 5,000 files: 21,000 related places, 16 MB of
#: SARIF), and a pre-commit hook printing 2 MB for one staged file. Checks list the
#: places most about the finding first; the rest are counted in ``related_omitted``.
MAX_RELATED = 10


@dataclass
class Finding:
    """One result: a rule that fired at a location."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    object: ObjectRef | None = None
    json_path: str = ""
    related: list[Related] = field(default_factory=list)
    #: Related places beyond :data:`MAX_RELATED`, not listed.
    related_omitted: int = 0
    suppression: Suppression | None = None  # set on findings in ScanResult.suppressed
    #: :class:`eksguard.fixes.Fix` with its applicability resolved (``safe``/``unsafe``).
    fix: object = field(default=None, compare=False, repr=False)
    #: Set by :mod:`eksguard.engine.fix`: the exact text edits of ``fix``
    #: (:class:`eksguard.engine.fix.edits.FileEdits`), or why it cannot be applied in place.
    edits: object = field(default=None, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: no line numbers, only what the finding is about."""
        if self.object is not None:
            subject = f"{self.object.kind}|{self.object.namespace}|{self.object.name}|{self.json_path}"
        else:
            subject = self.message
        digest = hashlib.sha256(f"{self.code}|{self.location.path}|{subject}".encode()).hexdigest()
        return digest[:32]

    @property
    def omitted_note(self) -> str:
        """What reports say after the related places listed, when some are not."""
        if not self.related_omitted:
            return ""
        places = "place" if self.related_omitted == 1 else "places"
        return f"and {self.related_omitted} more related {places}, not listed"

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code, self.message)
