"""Adapters lift one input format into the platform model.

An adapter claims sources (by file name and, where names are ambiguous, by
content), reads them with :func:`eksguard.adapters.source.read_text` and adds model
objects and problems to a :class:`Sink`. Built-in adapters and those of plugins are
registered through the ``eksguard_register_loaders`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from eksguard.findings import Location, Violation
from eksguard.model import AwsObject, K8sObject, Platform


@dataclass(frozen=True)
class Source:
    """One input: a file, a directory an adapter treats as a unit (a Helm chart), or stdin."""

    display: str
    path: Path | None = None  # None for stdin
    is_dir: bool = False
    stdin_data: bytes | None = None  # what was read from standard input
    #: Bytes, when discovery already knows them (its lstat of a regular file): the
    #: process pool weighs sources by size and need not stat 5,000 files again.
    size: int | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else self.display

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower() if self.path is not None else ""


@dataclass
class Problem:
    """An input that could not be read as its format: EKS001, EKS002 and the like."""

    code: str
    violation: Violation


@dataclass
class Sink:
    """Where adapters put what they lift: objects into the model, problems aside."""

    platform: Platform = field(default_factory=Platform)
    problems: list[Problem] = field(default_factory=list)
    options: dict = field(default_factory=dict)  # scan options adapters may read (helm values...)
    #: Set by an adapter when what it lifted reflects a passing condition rather than
    #: its inputs (a renderer that timed out or could not start): the parse cache does
    #: not keep it, so the next scan tries again.
    transient: bool = False

    def add(self, obj: "K8sObject | AwsObject") -> None:
        self.platform.add(obj)

    def problem(self, code: str, location: Location, message: str) -> None:
        self.problems.append(Problem(code, Violation(location, message)))


class Adapter(Protocol):
    """What the ``eksguard_register_loaders`` hook returns, one per format."""

    name: str

    def claims(self, source: Source) -> bool:
        """True when this adapter reads ``source`` (decided by name, and cheaply)."""

    def lift(self, source: Source, sink: Sink) -> None:
        """Read ``source`` and add its objects and problems to ``sink``; never raise."""
