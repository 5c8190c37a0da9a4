"""Rules as data: one YAML file per rule, discovered by globbing rule folders.

No registry to maintain: a folder registered by ``eksguard_register_rule_dirs``
contributes every ``<area>/<name>.yaml`` below it. Rule files from plugins are
validated against ``schemas/rule.schema.json`` when loaded; the built-in ones are
validated by the test suite (they cannot change after install, and skipping the
validator keeps a one-file scan fast).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from eksguard.findings import MAX_RELATED, Finding, Severity, Violation

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "rule.schema.json"


class RuleError(Exception):
    """A rule file that is not a valid rule: one line, exit code 2."""


@dataclass
class Rule:
    code: str
    name: str
    title: str
    severity: Severity
    status: str
    since: str
    default: bool
    area: str
    tags: list[str]
    security_severity: float
    message: str
    docs: dict
    path: Path
    aliases: list[str] = field(default_factory=list)
    kinds: tuple[str, ...] = ()
    schema: dict | bool | None = None
    check: str | None = None
    engine: bool = False
    params: dict = field(default_factory=dict)
    fix: dict = field(default_factory=lambda: {"applicability": "none"})

    @property
    def judges_model(self) -> bool:
        """Whether a scan runs this rule over the model: enabled, not removed, and not an
        engine rule (those report what adapters and the suppression pass found). The
        runner, the retention and the suppression judge all ask this."""
        return not self.engine and self.default and self.status != "removed"

    @property
    def fix_applicability(self) -> str:
        return self.fix.get("applicability", "none")

    def finding(self, violation: Violation) -> Finding:
        fix = violation.fix
        if fix is not None and self.fix_applicability in ("safe", "unsafe"):
            if fix.applicability is None:
                from dataclasses import replace

                fix = replace(fix, applicability=self.fix_applicability)
        else:
            fix = None  # a rule that declares no fix never offers one
        related = list(violation.related)
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=violation.message,
            location=violation.location,
            object=violation.object,
            json_path=violation.json_path,
            related=related[:MAX_RELATED],
            related_omitted=max(0, len(related) - MAX_RELATED),
            fix=fix,
        )


@lru_cache(maxsize=1)
def rule_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validation_errors(data: object) -> list[str]:
    """Human-readable problems of one rule file's content against the meta-schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(rule_schema(), format_checker=jsonschema.FormatChecker())
    out = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        out.append(f"{where}: {error.message}")
    return out


def read_rule_data(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot load rule file: {str(exc).splitlines()[0]}") from None


def load_rule(path: Path, validate: bool = False, data: object = None) -> Rule:
    if data is None:
        data = read_rule_data(path)
    if validate:
        errors = validation_errors(data)
        if errors:
            raise RuleError(f"{path}: invalid rule file: {errors[0]}")
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a rule file must be a mapping")
    if data.get("name") != path.stem:
        raise RuleError(f"{path}: rule name {data.get('name')!r} must equal the file name {path.stem!r}")
    try:
        return Rule(
            code=data["code"],
            name=data["name"],
            title=data["title"],
            severity=Severity.parse(data["severity"]),
            status=data["status"],
            since=str(data["since"]),
            default=bool(data["default"]),
            area=path.parent.name,
            tags=list(data.get("tags", [])),
            security_severity=float(data["security_severity"]),
            message=data["message"],
            docs=data["docs"],
            path=path,
            aliases=list(data.get("aliases", [])),
            kinds=tuple(data.get("applies_to", {}).get("kinds", ())),
            schema=data.get("schema"),
            check=data.get("check"),
            engine=bool(data.get("engine", False)),
            params=dict(data.get("params", {})),
            fix=dict(data.get("fix", {"applicability": "none"})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"{path}: invalid rule file: {exc}") from None


def load_rules(dirs: list[Path], builtin: Path | None = None) -> list[Rule]:
    """Every rule below ``dirs``, sorted by code; duplicate codes or names are an error."""
    rules: dict[str, Rule] = {}
    names: dict[str, str] = {}
    for folder in dirs:
        validate = builtin is None or folder.resolve() != builtin.resolve()
        paths = sorted(folder.glob("*/*.yaml"))
        for path, data in zip(paths, _folder_data(paths)):
            rule = load_rule(path, validate=validate, data=data)
            if rule.code in rules:
                raise RuleError(f"{path}: code {rule.code} is already used by {rules[rule.code].path}")
            if rule.name in names:
                raise RuleError(f"{path}: name {rule.name} is already used by {names[rule.name]}")
            rules[rule.code] = rule
            names[rule.name] = rule.code
    return sorted(rules.values(), key=lambda r: r.code)


def _folder_data(paths: list[Path]) -> list[object]:
    """The parsed content of rule files, from a JSON cache keyed by eksguard's version
    and every file's path, size and mtime (JSON loads ~20x faster than YAML: the rule
    files are read on every run, pre-commit included). Any cache problem means a
    plain read; the cache is written atomically, so concurrent runs are safe."""
    from eksguard import __version__
    from eksguard.cachedir import cache_dir, load_json, store_json

    if cache_dir() is None or not paths:
        return [read_rule_data(p) for p in paths]
    try:
        stamp = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
    except OSError:
        return [read_rule_data(p) for p in paths]
    name = f"rules-{hashlib.sha256(json.dumps([__version__, stamp]).encode()).hexdigest()[:24]}.json"
    data = load_json(name)
    if isinstance(data, list) and len(data) == len(paths):
        return data
    data = [read_rule_data(p) for p in paths]
    store_json(name, data)  # data JSON cannot hold (dates) is not stored: YAML is read every time
    return data


def find_rule(rules: list[Rule], key: str) -> Rule | None:
    """A rule by code (any case), name or alias."""
    wanted = key.strip()
    for rule in rules:
        if wanted.upper() == rule.code or wanted == rule.name or wanted in rule.aliases:
            return rule
    return None
