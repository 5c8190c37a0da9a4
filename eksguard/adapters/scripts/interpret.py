"""Walking a script's commands in order: variables, prefixes, and which commands to lift.

Variables are resolved from simple ``NAME=value`` assignments made earlier in the
same script (or step, or recipe line) and from the literal environment the caller
passes (a workflow's ``env:``, GitLab ``variables:``, exported Makefile variables);
anything else (``$1``, ``$(cmd)``, a variable the environment would provide) is
unknown. Commands behind ``if``/``then``/``!``, ``sudo``, ``env``, ``time`` and the
like are found; ``echo``/``printf`` arguments and comments are never commands.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from eksguard.adapters import Sink
from eksguard.adapters.scripts.lexer import Command, Ref, Word, commands
from eksguard.adapters.scripts.snippet import PLACEHOLDER, Snippet
from eksguard.findings import Location
from eksguard.model import UNKNOWN, Origin

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "coproc"})
_NOT_COMMANDS = frozenset({"fi", "done", "esac", "}", "case", "function", "in", "select", ";;"})
_DECLARE = frozenset({"export", "declare", "typeset", "local", "readonly"})
# prefix command -> its options that take a value
_PREFIXES = {
    "sudo": {"-u", "-g", "-p", "-C", "-h", "-U", "-r", "-t", "-T", "-D", "--user", "--group"},
    "env": {"-u", "-C", "--unset", "--chdir"},
    "command": set(), "exec": {"-a"}, "nohup": set(), "builtin": set(), "time": set(),
    "nice": {"-n", "--adjustment"}, "stdbuf": {"-i", "-o", "-e"}, "timeout": {"-s", "-k", "--signal", "--kill-after"},
}

Env = dict[str, object]  # name -> str | UNKNOWN
_MAX_NESTING = 8


@dataclass
class Arg:
    """A word after expansion: ``text`` (PLACEHOLDER marks unknown parts) with the
    snippet offset of every character, and of the token's first character."""

    text: str
    offsets: list[int]
    start: int

    @property
    def known(self) -> bool:
        return PLACEHOLDER not in self.text

    @property
    def value(self) -> object:
        """The text, or UNKNOWN when part of it is unknown or it is read from a file."""
        if not self.known or self.text.startswith(("file://", "fileb://")):
            return UNKNOWN
        return self.text

    def tail(self, index: int) -> "Arg":
        """``text[index:]`` as its own Arg: the value part of ``--flag=value``."""
        start = self.offsets[index - 1] + 1 if 0 < index <= len(self.offsets) else self.start
        return Arg(self.text[index:], self.offsets[index:], start)

    def offset_of(self, index: int) -> int:
        return self.offsets[index] if 0 <= index < len(self.offsets) else self.start


def resolve(word: Word, env: Env, split: bool = True) -> list[Arg]:
    """Expand ``word`` with ``env``; unquoted expansions with blanks split into fields."""
    out: list[Arg] = []
    chars: list[str] = []
    offsets: list[int] = []
    start = word.start
    for item, offset in zip(word.items, word.offsets):
        if isinstance(item, str):
            chars.append(item)
            offsets.append(offset)
            continue
        value = env.get(item.name, UNKNOWN) if item.name is not None else UNKNOWN
        if not isinstance(value, str):
            chars.append(PLACEHOLDER)
            offsets.append(offset)
            continue
        if not (split and not item.quoted and any(c in value for c in " \t\n")):
            chars.extend(value)
            offsets.extend([offset] * len(value))
            continue
        # unquoted expansion with blanks: field splitting
        if value[:1] in " \t\n" and chars:
            out.append(Arg("".join(chars), offsets, start))
            chars, offsets = [], []
        for number, piece in enumerate(value.split()):
            if number > 0 and chars:
                out.append(Arg("".join(chars), offsets, start))
                chars, offsets = [], []
            if not chars:
                start = offset
            chars.extend(piece)
            offsets.extend([offset] * len(piece))
        if value[-1:] in " \t\n" and chars:
            out.append(Arg("".join(chars), offsets, start))
            chars, offsets = [], []
            start = offset
    if chars or not out and not any(isinstance(i, Ref) and not i.quoted for i in word.items):
        out.append(Arg("".join(chars), offsets, start))
    return out


@dataclass
class Context:
    """What lifting needs about the current file and snippet."""

    sink: Sink
    origin: Origin
    snippet: Snippet = field(default_factory=lambda: Snippet("", [0], [(1, 1)]))
    registry: dict = field(default_factory=dict)  # per-file state of the lifters (access entries)

    def at(self, offset: int) -> Location:
        line, column = self.snippet.at(offset)
        return Location(self.origin.path, line, column)

    def loc(self, arg: Arg) -> Location:
        return self.at(arg.start)


def run(snippet: Snippet, env: Env, ctx: Context, start: int = 0, end: int | None = None, depth: int = 0) -> None:
    """Lift every command of ``snippet`` in order; ``env`` is updated by assignments.
    Commands inside ``$(…)`` and backquotes run too, in a copy of the environment."""
    from eksguard.adapters.scripts import lift

    ctx.snippet = snippet
    for command in commands(snippet.text, start, end):
        if depth < _MAX_NESTING:
            for inner_start, inner_end in command.nested:
                run(snippet, dict(env), ctx, inner_start, inner_end, depth + 1)
        try:
            args = _command_args(command, env, snippet)
            if command.error is not None:
                if args and lift.would_lift(args):
                    ctx.sink.problem("EKS001", ctx.at(command.error.start),
                                     f"{command.error.message} in `{_head(args)}`: the command cannot be read")
            elif args:
                lift.lift(args, ctx)
        except Exception:  # noqa: BLE001 - one odd command never stops the scan (EKSGUARD_DEBUG=1 re-raises)
            if os.environ.get("EKSGUARD_DEBUG") == "1":
                raise


def _head(args: list[Arg]) -> str:
    return " ".join(a.text for a in args[:3] if a.known)


def _command_args(command: Command, env: Env, snippet: Snippet) -> list[Arg]:
    """The command's arguments after assignments and prefixes, or [] when it lifts nothing."""
    words = command.words
    i = 0
    while i < len(words) and words[i].is_literal and words[i].literal() in _RESERVED:
        i += 1
    if i >= len(words):
        return []
    first = words[i].literal() if words[i].is_literal else None
    if first in _NOT_COMMANDS:
        return []
    if first in ("for", "select"):
        if i + 1 < len(words) and words[i + 1].is_literal:
            env[words[i + 1].literal()] = UNKNOWN
        return []
    assignments = []
    while i < len(words) and _ASSIGNMENT.match(snippet.text, words[i].start):
        assignments.append(words[i])
        i += 1
    if i == len(words):
        if command.error is None:
            for word in assignments:
                _assign(word, env, snippet)
        return []
    args = [a for w in words[i:] for a in resolve(w, env)]
    while args:
        name = args[0].text.rsplit("/", 1)[-1]
        if name in _DECLARE:
            for word in words[i + 1 :]:
                if _ASSIGNMENT.match(snippet.text, word.start):
                    _assign(word, env, snippet)
            return []
        if name == "unset":
            for arg in args[1:]:
                env.pop(arg.text, None)
            return []
        if name in ("read", "mapfile", "readarray", "getopts"):
            for arg in args[1:]:
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", arg.text):
                    env[arg.text] = UNKNOWN
            return []
        if name not in _PREFIXES:
            return args
        args = _strip_prefix(name, args)
    return []


def _strip_prefix(name: str, args: list[Arg]) -> list[Arg]:
    takes_value = _PREFIXES[name]
    j = 1
    while j < len(args):
        text = args[j].text
        if text == "--":
            j += 1
            break
        if name == "env" and _ASSIGNMENT.match(text):
            j += 1
        elif text.startswith("-") and len(text) > 1:
            j += 2 if text in takes_value else 1
        else:
            break
    if name == "timeout" and j < len(args):
        j += 1  # the duration
    if name in ("command", "builtin") and any(a.text in ("-v", "-V") for a in args[1:j]):
        return []
    return args[j:]


def _assign(word: Word, env: Env, snippet: Snippet) -> None:
    match = _ASSIGNMENT.match(snippet.text, word.start)
    if match is None:
        return
    name, append = match.group(1), match.group(2)
    (arg,) = resolve(word, env, split=False) or [Arg("", [], word.start)]
    value = arg.text[len(match.group(0)) :] if arg.text.startswith(match.group(0)) else PLACEHOLDER
    new: object = value if PLACEHOLDER not in value else UNKNOWN
    if append:
        old = env.get(name, UNKNOWN)
        new = old + new if isinstance(old, str) and isinstance(new, str) else UNKNOWN
    env[name] = new
