"""``.eksguard.yaml``: finding it, validating it, layering it, and applying it to a scan.

The configuration is a stack of layers, lowest first (docs/config.md)::

    preset default  <  presets and files named by ``extends``  <  the config file  <  command line

- Scalars (``fail-on``, a rule's ``severity``, each of a rule's ``params``): the highest
  layer that sets one wins.
- Lists of paths and exemptions (``ignore-paths``, ``exclude``, ``exemptions``,
  ``rule-dirs``, ``plugins``, a rule's ``ignore-paths``) add up.
- Selection is decided layer by layer (ruff's model): a layer's ``select`` replaces what
  lower layers enabled, ``extend-select`` adds, ``ignore`` removes; inside one layer the
  longest matching selector wins (flake8's style guide), ``ignore`` on a tie.

The file is found by walking up from the scan root (the folder of the first path
argument) to ``$HOME`` or ``/`` (yamllint's ``find_project_config_filepath``), or given
with ``--config``. Paths and globs are relative to the folder of the file that writes
them. jsonschema and the positional YAML loader are imported only when a file is found,
so a scan with no configuration pays nothing for this module.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from eksguard.discover import UsageError
from eksguard.hookspecs import hookimpl

if TYPE_CHECKING:
    from eksguard.discover import Discovery
    from eksguard.engine.rules import Rule
    from eksguard.findings import Finding
    from eksguard.plugins import Plugins

CONFIG_NAMES = (".eksguard.yaml", ".eksguard.yml")
PACKAGE_DIR = Path(__file__).resolve().parent
PRESETS_DIR = PACKAGE_DIR / "presets"
SCHEMA_PATH = PACKAGE_DIR / "schemas" / "config.schema.json"
CODE_PREFIX = re.compile(r"[A-Za-z]+[0-9]*")
EXACT = 1000  # specificity of a full code or a name: more than any prefix


class ConfigError(UsageError):
    """An invalid configuration: one line with file, line, column and key path; exit code 2."""


def presets() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


# --------------------------------------------------------------------------- layers


@dataclass
class Layer:
    """One source of settings: a preset, a config file or the command line."""

    origin: str  # "preset strict", "infra/.eksguard.yaml", "command line"
    data: dict
    base: Path  # the folder relative paths and globs are resolved against
    file: Path | None = None
    raw: object = None  # the positional YAML value, to point errors at a line
    key_origins: dict[str, str] = field(default_factory=dict)  # command line: key -> flag

    def origin_of(self, key: str) -> str:
        return self.key_origins.get(key, self.origin)

    def error(self, path: tuple, message: str) -> ConfigError:
        keys = keypath(path)
        if self.key_origins and path and path[0] in self.key_origins:
            return ConfigError(f"{self.key_origins[path[0]]}: {message}")
        where = self.origin
        if self.raw is not None and path:
            from eksguard.yaml_loader import locate

            (line, column), _ = locate(self.raw, tuple(path))
            where = f"{where}:{line}:{column}"
        return ConfigError(f"{where}: {keys}: {message}" if keys else f"{where}: {message}")


def keypath(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out


@dataclass(frozen=True)
class Setting:
    value: object
    origin: str
    layer: Layer | None = None
    path: tuple = ()


# --------------------------------------------------------------------------- globs


@lru_cache(maxsize=None)
def _compile_glob(glob: str) -> tuple[bool, re.Pattern]:
    text = glob.strip()
    if text.startswith("./"):
        text = text[2:]
    anchored = "/" in text.rstrip("/")
    text = text.strip("/")
    out, i = [], 0
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "[" and "]" in text[i + 2:]:
            end = text.index("]", i + 2)
            body = text[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    return anchored, re.compile("".join(out))


def _relative(path: str, base: Path) -> str | None:
    rel = os.path.relpath(path, base)
    if rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


@dataclass(frozen=True)
class Pattern:
    """A glob as .gitignore reads it, relative to the folder of the file that wrote it:
    ``*`` within a folder, ``**`` across folders; with no ``/`` it matches a file or
    folder name at any depth; a folder covers everything below it."""

    glob: str
    base: Path
    origin: str

    def matches(self, path: str) -> bool:
        rel = _relative(path, self.base)
        if rel is None:
            real = _relative(os.path.realpath(path), Path(os.path.realpath(self.base)))
            if real is None:
                return False
            rel = real
        anchored, regex = _compile_glob(self.glob)
        parts = rel.split("/")
        if anchored:
            return any(regex.fullmatch("/".join(parts[:k])) for k in range(1, len(parts) + 1))
        return any(regex.fullmatch(part) for part in parts)

    def describe(self) -> str:
        return f"{self.glob} ({self.origin})"


# --------------------------------------------------------------------------- exemptions


def _globs(value) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass
class Exemption:
    """Polaris-style: objects (kind, namespace, name globs) some or all rules leave alone."""

    kinds: tuple[str, ...] | None
    namespaces: tuple[str, ...] | None
    names: tuple[str, ...] | None
    selectors: list[str] | None
    reason: str
    origin: str
    layer: Layer
    index: int
    codes: frozenset[str] | None = None  # resolved from selectors against the rules of the run

    def matches(self, finding: "Finding") -> bool:
        obj = finding.object
        if obj is None:
            return False
        if self.selectors is not None and (self.codes is None or finding.code not in self.codes):
            return False
        for globs, value in ((self.kinds, obj.kind), (self.namespaces, obj.namespace), (self.names, obj.name)):
            if globs is not None and not any(fnmatch.fnmatchcase(value or "", g) for g in globs):
                return False
        return True

    def as_data(self) -> dict:
        out: dict = {}
        for key, value in (("kind", self.kinds), ("namespace", self.namespaces), ("name", self.names)):
            if value is not None:
                out[key] = value[0] if len(value) == 1 else list(value)
        if self.selectors is not None:
            out["rules"] = list(self.selectors)
        if self.reason:
            out["reason"] = self.reason
        return out


# --------------------------------------------------------------------------- rules


@dataclass
class RuleState:
    """What the configuration made of one rule."""

    rule: "Rule"
    enabled: bool
    why: str
    severity: Setting | None = None
    params: dict[str, Setting] = field(default_factory=dict)
    ignore_paths: list[Pattern] = field(default_factory=list)


def specificity(rule: "Rule", selector: str) -> int | None:
    """How specifically ``selector`` names ``rule``: None if not at all, 0 for ``ALL``,
    the prefix length for a code prefix, :data:`EXACT` for a code, name or alias."""
    if selector == "ALL":
        return 0
    upper = selector.upper()
    if upper == rule.code or selector == rule.name or selector in rule.aliases or upper in rule.aliases:
        return EXACT
    if CODE_PREFIX.fullmatch(selector) and rule.code.startswith(upper):
        return len(selector)
    return None


def _best(rule: "Rule", entries: list[tuple[tuple, str]]) -> tuple[int, tuple, str] | None:
    best = None
    for path, selector in entries:
        score = specificity(rule, selector)
        if score is not None and (best is None or score > best[0]):
            best = (score, path, selector)
    return best


# --------------------------------------------------------------------------- the config


@dataclass
class Config:
    layers: list[Layer]
    cwd: Path
    file: Path | None = None  # the config file in use (found or --config), if any
    fail_on: str = "warning"
    fail_on_origin: str = "built in"
    ignore_paths: list[Pattern] = field(default_factory=list)
    exclude: list[Pattern] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    rule_dirs: list[Setting] = field(default_factory=list)
    plugins: list[Setting] = field(default_factory=list)
    states: dict[str, RuleState] | None = None
    dropped: list[tuple["Finding", str]] = field(default_factory=list)
    #: ``limits:`` (eksguard/limits.py): each key from the highest layer that sets it.
    limit_settings: dict[str, Setting] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for layer in self.layers:
            data = layer.data
            if "fail-on" in data:
                self.fail_on, self.fail_on_origin = data["fail-on"], layer.origin_of("fail-on")
            for key, value in (data.get("limits") or {}).items():
                self.limit_settings[key] = Setting(value, layer.origin_of("limits"), layer, ("limits", key))
            for key, target in (("ignore-paths", self.ignore_paths), ("exclude", self.exclude)):
                target.extend(Pattern(g, layer.base, layer.origin_of(key)) for g in data.get(key, ()))
            for i, item in enumerate(data.get("exemptions", ())):
                selectors = item.get("rules")
                self.exemptions.append(Exemption(
                    _globs(item.get("kind")), _globs(item.get("namespace")), _globs(item.get("name")),
                    list(selectors) if selectors is not None else None, item.get("reason", ""),
                    layer.origin, layer, i,
                ))
            for i, rel in enumerate(data.get("rule-dirs", ())):
                path = (layer.base / rel).resolve()
                if not path.is_dir():
                    raise layer.error(("rule-dirs", i), f"no such folder {rel!r} (relative to {_show_path(layer.base, self.cwd)})")
                self.rule_dirs.append(Setting(path, layer.origin, layer, ("rule-dirs", i)))
            for i, rel in enumerate(data.get("plugins", ())):
                path = (layer.base / rel).resolve()
                if not (path.suffix == ".py" and path.is_file()) and not (path / "__init__.py").is_file():
                    raise layer.error(("plugins", i), f"no plugin module {rel!r}: expected a .py file or a package folder")
                self.plugins.append(Setting(path, layer.origin, layer, ("plugins", i)))

    @property
    def plugin_paths(self) -> list[Path]:
        return [s.value for s in self.plugins]

    @property
    def limits(self):
        """The scan's :class:`eksguard.limits.Limits`: the defaults with ``limits:`` applied."""
        from eksguard.limits import DEFAULT

        return DEFAULT.with_config({key: s.value for key, s in self.limit_settings.items()})

    # -- rules --------------------------------------------------------------------

    def register(self, plugins: "Plugins") -> None:
        """Make ``rule-dirs`` part of the catalogue (``eksguard rules``, suppression codes),
        through the same hook plugins use."""
        if self.rule_dirs and plugins.pm.get_plugin(_RuleDirs.NAME) is None:
            plugins.pm.register(_RuleDirs([s.value for s in self.rule_dirs]), name=_RuleDirs.NAME)

    def rules(self, plugins: "Plugins") -> list["Rule"]:
        """The rules this configuration runs: selected, with severities and params applied."""
        from eksguard.builtin import builtin_rule_dir
        from eksguard.engine.rules import load_rules
        from eksguard.findings import Severity

        self.register(plugins)
        every = load_rules(plugins.rule_dirs(), builtin=builtin_rule_dir())
        self.states = self.resolve(every, plugins.checks())
        out = []
        for state in self.states.values():
            if not state.enabled:
                continue
            rule = state.rule
            changes: dict = {"default": True}
            if state.severity is not None:
                changes["severity"] = Severity.parse(state.severity.value)
            if state.params:
                changes["params"] = {**rule.params, **{k: s.value for k, s in state.params.items()}}
            out.append(replace(rule, **changes))
        return out

    def resolve(self, rules: list["Rule"], checks: dict) -> dict[str, RuleState]:
        from eksguard.engine.rules import find_rule

        states = {
            r.code: RuleState(r, r.default, "on by default" if r.default else "off by default") for r in rules
        }
        for layer in self.layers:
            data = layer.data
            select = data.get("select")
            chosen = [(("select", i), s) for i, s in enumerate(select or ())]
            chosen += [(("extend-select", i), s) for i, s in enumerate(data.get("extend-select", ()))]
            ignored = [(("ignore", i), s) for i, s in enumerate(data.get("ignore", ()))]
            if select is None and not chosen and not ignored:
                continue
            for path, selector in chosen + ignored:
                if not any(specificity(r, selector) is not None for r in rules):
                    raise layer.error(path, f"{selector!r} matches no rule (see 'eksguard rules')")
            for rule in rules:
                state = states[rule.code]
                by_select, by_ignore = _best(rule, chosen), _best(rule, ignored)
                if by_select and (not by_ignore or by_select[0] > by_ignore[0]):
                    state.enabled = True
                    state.why = f"{by_select[1][0]} {by_select[2]} ({layer.origin_of(by_select[1][0])})"
                elif by_ignore:
                    state.enabled = False
                    state.why = f"ignore {by_ignore[2]} ({layer.origin_of('ignore')})"
                elif select is not None:
                    state.enabled = False
                    state.why = f"not in select ({layer.origin_of('select')})"
        for state in states.values():
            if state.rule.status == "removed":
                state.enabled, state.why = False, "removed"

        for layer in self.layers:
            for key, settings in (layer.data.get("rules") or {}).items():
                rule = find_rule(rules, key)
                if rule is None:
                    raise layer.error(("rules", key), f"no rule {key!r} (see 'eksguard rules')")
                state = states[rule.code]
                if "severity" in settings:
                    state.severity = Setting(settings["severity"], layer.origin, layer, ("rules", key, "severity"))
                for name, value in (settings.get("params") or {}).items():
                    state.params[name] = Setting(value, layer.origin, layer, ("rules", key, "params", name))
                state.ignore_paths.extend(Pattern(g, layer.base, layer.origin) for g in settings.get("ignore-paths", ()))
        for state in states.values():
            if state.params:
                self._check_params(state, checks)

        for exemption in self.exemptions:
            if exemption.selectors is None:
                continue
            for j, selector in enumerate(exemption.selectors):
                if not any(specificity(r, selector) is not None for r in rules):
                    raise exemption.layer.error(("exemptions", exemption.index, "rules", j),
                                                f"{selector!r} matches no rule (see 'eksguard rules')")
            exemption.codes = frozenset(
                r.code for r in rules if any(specificity(r, s) is not None for s in exemption.selectors)
            )
        return states

    def _check_params(self, state: RuleState, checks: dict) -> None:
        rule = state.rule
        first = next(iter(state.params.values()))
        if rule.check is None:  # a declarative rule (applies_to + schema) takes none
            raise first.layer.error(first.path, f"rule {rule.code} ({rule.name}) has no options")
        check = checks.get(rule.check)
        if check is None:  # reported as a rule error when the rule runs
            return
        if not rule.params and not (check.params_schema or {}).get("properties"):
            raise first.layer.error(first.path, f"rule {rule.code} ({rule.name}) has no options")
        import jsonschema

        merged = {**rule.params, **{k: s.value for k, s in state.params.items()}}
        errors = list(jsonschema.Draft202012Validator(check.params_schema).iter_errors(merged))
        if not errors:
            return
        path, message = describe_error(min(errors, key=lambda e: [str(p) for p in e.absolute_path]))
        setting = state.params.get(path[0]) if path else None
        if setting is None:
            setting = first
            path = []
        raise setting.layer.error(setting.path[:-1] + tuple(path), message)

    # -- applying it to a scan ----------------------------------------------------

    def exclude_sources(self, found: "Discovery") -> None:
        """Drop sources under ``exclude`` before anything reads them (``--verbose`` says so)."""
        if not self.exclude:
            return
        kept = []
        for source in found.sources:
            hit = None
            if source.path is not None:
                absolute = os.path.normpath(str(source.path))
                hit = next((p for p in self.exclude if p.matches(absolute)), None)
            if hit is None:
                kept.append(source)
            else:
                found.skipped.append((source.display, f"exclude {hit.describe()}"))
        found.sources = kept

    def filter_findings(self, findings: list["Finding"]) -> list["Finding"]:
        """Severity overrides, then ``ignore-paths`` (global and per rule) and exemptions.

        Paths are judged on a finding's primary location only, the place it is reported
        at (and where a suppression comment would go); its related locations neither
        keep nor drop it. Exemptions are judged on the object the finding is about."""
        from eksguard.findings import Severity

        states = self.states or {}
        kept = []
        for finding in findings:
            state = states.get(finding.code)
            if state is not None and state.severity is not None:
                finding.severity = Severity.parse(state.severity.value)
            why = None
            absolute = self._absolute(finding.location.path)
            if absolute is not None:
                patterns = self.ignore_paths + (state.ignore_paths if state is not None else [])
                hit = next((p for p in patterns if p.matches(absolute)), None)
                if hit is not None:
                    why = f"ignore-paths {hit.describe()}"
            if why is None:
                exemption = next((e for e in self.exemptions if e.matches(finding)), None)
                if exemption is not None:
                    why = f"exemptions[{exemption.index}] ({exemption.origin})"
            if why is None:
                kept.append(finding)
            else:
                self.dropped.append((finding, why))
        return kept

    def _absolute(self, display: str) -> str | None:
        if not display or display.startswith("<"):
            return None
        return os.path.normpath(display if os.path.isabs(display) else os.path.join(self.cwd, display))


class _RuleDirs:
    """The config's ``rule-dirs`` as a plugin."""

    NAME = "config:rule-dirs"

    def __init__(self, dirs: list[Path]):
        self.dirs = dirs

    @hookimpl
    def eksguard_register_rule_dirs(self) -> list[Path]:
        return list(self.dirs)


# --------------------------------------------------------------------------- loading


def find_config(start: Path) -> Path | None:
    """The nearest ``.eksguard.yaml``/``.yml`` from ``start`` up to ``$HOME`` or ``/``."""
    try:
        home = Path.home().resolve()
    except (KeyError, RuntimeError):
        home = None
    folder = start.absolute()
    while True:
        hits = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
        if len(hits) > 1:
            raise ConfigError(f"{folder}: both {CONFIG_NAMES[0]} and {CONFIG_NAMES[1]} exist: keep one")
        if hits:
            return hits[0]
        if folder.parent == folder or (home is not None and folder.resolve() == home):
            return None
        folder = folder.parent


def scan_root(paths: list[str], cwd: Path) -> Path:
    """The folder of the first path argument (standard input: the working directory)."""
    first = paths[0] if paths else "."
    if first == "-":
        return cwd
    path = Path(first) if Path(first).is_absolute() else cwd / first
    return path if path.is_dir() else path.parent


@lru_cache(maxsize=1)
def config_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _show_path(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _plain(value):
    """YAML as JSON Schema sees it: plain containers, string keys (``1.30`` stays "1.30")."""
    if isinstance(value, dict):
        return {(getattr(k, "text", None) or (k if isinstance(k, str) else json.dumps(k))): _plain(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_preset(name: str) -> Layer:
    import yaml

    path = PRESETS_DIR / f"{name}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    return Layer(f"preset {name}", data, PRESETS_DIR, None)


def load_file(path: Path, origin: str) -> Layer:
    """One config file, validated against ``schemas/config.schema.json``."""
    from eksguard.yaml_loader import YamlProblem, load_documents

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{origin}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{origin}: cannot read: {exc.strerror}") from None
    try:
        documents = load_documents(text)
    except YamlProblem as problem:
        raise ConfigError(f"{origin}:{problem.line}:{problem.column}: not valid YAML: {problem.message}") from None
    if len(documents) > 1:
        raise ConfigError(f"{origin}:{documents[1].line}:1: expected one YAML document, found {len(documents)}")
    raw = documents[0].value if documents else None
    if documents and documents[0].duplicates:
        key, first, line, column = documents[0].duplicates[0]
        raise ConfigError(f"{origin}:{line}:{column}: duplicate key {key!r} (first on line {first})")
    layer = Layer(origin, {} if raw is None else _plain(raw), path.parent, path, raw)
    validate(layer)
    return layer


def validate(layer: Layer) -> None:
    import jsonschema

    from eksguard.yaml_loader import locate

    validator = jsonschema.Draft202012Validator(config_schema())
    described = []
    for error in validator.iter_errors(layer.data):
        path, message = describe_error(error)
        mark = locate(layer.raw, tuple(path))[0] if layer.raw is not None else (1, 1)
        described.append((mark, path, message))
    if described:
        _, path, message = min(described, key=lambda d: d[0])
        if not path:
            raise ConfigError(f"{layer.origin}: {message}")
        raise layer.error(tuple(path), message)


def _chain(path: Path, cwd: Path, seen: tuple[Path, ...] = ()) -> list[Layer]:
    layer = load_file(path, _show_path(path, cwd))
    extends = layer.data.get("extends")
    if extends is None:
        return [layer]
    if extends in presets():
        return [load_preset(extends), layer]
    target = (layer.base / extends).resolve()
    if target in seen or target == path.resolve():
        raise layer.error(("extends",), f"{extends!r} extends itself (a cycle)")
    if not target.is_file():
        raise layer.error(("extends",), f"no preset or file {extends!r} (presets: {', '.join(presets())}; "
                                        f"paths are relative to {_show_path(layer.base, cwd)})")
    return _chain(target, cwd, seen + (path.resolve(),)) + [layer]


def cli_layer(args: argparse.Namespace, cwd: Path) -> Layer:
    data: dict = {}
    origins: dict[str, str] = {}
    for key, dest in (("select", "select"), ("extend-select", "extend_select"), ("ignore", "ignore")):
        values = getattr(args, dest, None)
        if values is not None:
            data[key] = [item.strip() for value in values for item in value.split(",") if item.strip()]
            origins[key] = f"--{key}"
    if getattr(args, "fail_on", None):
        data["fail-on"] = args.fail_on
        origins["fail-on"] = "--fail-on"
    return Layer("command line", data, cwd, key_origins=origins)


def load_config(args: argparse.Namespace, cwd: Path) -> Config:
    """The configuration of one command: presets, the config file (found or ``--config``;
    none with ``--no-config``) and the command-line flags."""
    file = None
    if getattr(args, "config_file", None):
        file = Path(args.config_file) if Path(args.config_file).is_absolute() else cwd / args.config_file
        if not file.is_file():
            raise ConfigError(f"--config {args.config_file}: no such file")
    elif not getattr(args, "no_config", False):
        file = find_config(scan_root(getattr(args, "paths", None) or ["."], cwd))
    chain = _chain(file, cwd) if file is not None else []
    layers = [load_preset("default")] + [l for l in chain if l.origin != "preset default"]
    layers.append(cli_layer(args, cwd))
    return Config(layers, cwd, file)


# --------------------------------------------------------------------------- errors


_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
          "array": "a list", "object": "a mapping", "null": "null"}


def _got(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def _expects(schema) -> str | None:
    """What a (sub)schema accepts, in words, when it says so or is simple enough."""
    if not isinstance(schema, dict):
        return None
    if schema.get("x-expected"):
        return schema["x-expected"]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    kind = schema.get("type")
    if isinstance(kind, str) and set(schema) <= {"type", "pattern", "description"}:
        return _TYPES.get(kind, kind) + (f" matching {schema['pattern']}" if "pattern" in schema else "")
    return None


def describe_error(error) -> tuple[list, str]:
    """A jsonschema error as (key path, "expected ..., got ...")."""
    import difflib

    from jsonschema.exceptions import best_match

    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("x-expected")
    kind, value, instance = error.validator, error.validator_value, error.instance
    if "propertyNames" in error.schema_path:
        return path + [instance], f"not a valid key: expected {expected or 'a different name'}"
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        key = next((k for k in instance if k not in allowed), None)
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        if hint:
            return path + [key], f"unknown key; did you mean {hint[0]!r}?"
        return path + [key], "unknown key" + (f" (expected one of {', '.join(allowed)})" if allowed else "")
    if kind in ("anyOf", "oneOf"):
        if all(isinstance(s, dict) and set(s) == {"required"} for s in value):
            return path, f"needs at least one of {', '.join(s['required'][0] for s in value)}"
        if expected:
            return path, f"expected {expected}, got {_got(instance)}"
        branches = [_expects(s) for s in value]
        if all(branches):
            return path, f"expected {' or '.join(branches)}, got {_got(instance)}"
        return describe_error(best_match(error.context))
    if kind == "required":
        missing = next((k for k in value if k not in instance), value[0])
        return path, f"missing key {missing!r}"
    if kind == "type":
        words = " or ".join(_TYPES.get(t, t) for t in ([value] if isinstance(value, str) else value))
        return path, f"expected {expected or words}, got {_got(instance)}"
    if kind == "enum":
        return path, f"expected {expected or 'one of ' + ', '.join(map(str, value))}, got {_got(instance)}"
    if kind == "const":
        return path, f"expected {json.dumps(value)}, got {_got(instance)}"
    bounds = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
              "exclusiveMaximum": "less than"}
    if kind in bounds:
        return path, f"expected {bounds[kind]} {value}, got {_got(instance)}"
    if kind == "minLength":
        return path, f"expected {expected or 'a non-empty string'}, got {_got(instance)}"
    if kind == "minItems":
        return path, f"expected at least {value} item{'s' if value != 1 else ''}"
    if kind == "uniqueItems":
        return path, "expected no duplicate items"
    if kind == "pattern":
        return path, f"expected {expected or 'a string matching ' + value}, got {_got(instance)}"
    if expected:
        return path, f"expected {expected}, got {_got(instance)}"
    return path, error.message


# --------------------------------------------------------------------------- command line


def configure(args: argparse.Namespace, argv: list[str], plugins: "Plugins", build_parser):
    """Load the configuration of ``scan``/``config``; with local ``plugins:`` reload the
    plugins (local ones first, STYLE section 4) and re-read the command line, since they
    may add options. Sets ``args.effective_config`` and the resolved ``args.fail_on``."""
    config = load_config(args, Path.cwd())
    if config.plugins:
        from eksguard.plugins import get_plugins

        try:
            plugins = get_plugins(local=config.plugin_paths)
        except Exception as exc:  # noqa: BLE001 - a broken local plugin is a config error
            raise ConfigError(f"cannot load plugins from {config.plugins[0].origin}: "
                              f"{type(exc).__name__}: {exc}") from None
        args = build_parser(plugins).parse_args(argv)
    config.register(plugins)
    args.effective_config = config
    args.fail_on = config.fail_on
    if getattr(args, "verbose", False):
        where = _show_path(config.file, config.cwd) if config.file else "none"
        print(f"eksguard: config {where}", file=sys.stderr)
    return args, plugins


def cmd_config(args: argparse.Namespace, plugins: "Plugins") -> int:
    config = args.effective_config
    config.rules(plugins)
    sys.stdout.write(show(config))
    return 0


# --------------------------------------------------------------------------- config --show

_COMMENT_COLUMN = 40


def _scalar(value) -> str:
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.][A-Za-z0-9_./*@+-]*", value) and value.lower() not in (
        "true", "false", "yes", "no", "on", "off", "null", "y", "n"
    ) and not re.fullmatch(r"[0-9.+-]+", value):
        return value
    return json.dumps(value)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return json.dumps(value)
    return _scalar(str(value))


def _line(text: str, origin: str | None) -> str:
    if origin is None:
        return text
    return f"{text:<{_COMMENT_COLUMN - 2}}  # {origin}"


def show(config: Config) -> str:
    """The effective configuration as YAML, each value with where it came from."""
    origins = " < ".join(layer.origin for layer in config.layers)
    out = [
        "# eksguard effective configuration",
        f"# config file: {_show_path(config.file, config.cwd) if config.file else 'none'}",
        f"# layers, lowest first: {origins}",
        _line(f"fail-on: {config.fail_on}", config.fail_on_origin),
    ]
    for key in ("select", "extend-select", "ignore"):
        entries = [(s, layer.origin_of(key)) for layer in config.layers for s in (layer.data.get(key) or ())]
        replaced = [layer for layer in config.layers if layer.data.get(key) is not None]
        if not entries:
            if key == "select" and replaced:
                out.append(_line("select: []", replaced[-1].origin_of(key)))
            continue
        out.append(f"{key}:")
        out.extend(_line(f"  - {_scalar(s)}", origin) for s, origin in entries)
    for key, patterns in (("ignore-paths", config.ignore_paths), ("exclude", config.exclude)):
        if patterns:
            out.append(f"{key}:")
            out.extend(_line(f"  - {_scalar(p.glob)}", p.origin) for p in patterns)
    if config.exemptions:
        out.append("exemptions:")
        out.extend(_line(f"  - {_flow(e.as_data())}", e.origin) for e in config.exemptions)
    if config.limit_settings:
        out.append("limits:")
        out.extend(_line(f"  {key}: {_flow(s.value)}", s.origin) for key, s in config.limit_settings.items())
    for key, settings in (("rule-dirs", config.rule_dirs), ("plugins", config.plugins)):
        if settings:
            out.append(f"{key}:")
            out.extend(_line(f"  - {_scalar(_show_path(s.value, config.cwd))}", s.origin) for s in settings)
    states = config.states or {}
    configured = [s for s in states.values() if s.severity or s.params or s.ignore_paths]
    if configured:
        out.append("rules:")
        for state in configured:
            rule = state.rule
            out.append(_line(f"  {rule.code}:", rule.name))
            if state.severity is not None:
                out.append(_line(f"    severity: {state.severity.value}", state.severity.origin))
            if state.params:
                out.append("    params:")
                for name in {**rule.params, **state.params}:
                    setting = state.params.get(name)
                    value = setting.value if setting is not None else rule.params[name]
                    out.append(_line(f"      {_scalar(name)}: {_flow(value)}",
                                     setting.origin if setting is not None else "rule default"))
            if state.ignore_paths:
                out.append("    ignore-paths:")
                out.extend(_line(f"      - {_scalar(p.glob)}", p.origin) for p in state.ignore_paths)
    if states:
        enabled = [s for s in states.values() if s.enabled]
        out.append(f"# rules that run: {len(enabled)} of {len(states)}")
        for state in states.values():
            if not state.enabled:
                out.append(f"#   off  {state.rule.code}  {state.rule.name}: {state.why}")
            elif not state.why.startswith(("on by default", "select ALL")):
                out.append(f"#   on   {state.rule.code}  {state.rule.name}: {state.why}")
    return "\n".join(out) + "\n"
