"""Single-object rules written as JSON Schema: the object must satisfy ``schema``.

Where a finding points is decided by where the failing subschema sits: a ``const``
under ``/metadata/annotations/x`` points at that annotation's line; a ``false``
placed on ``/spec/type`` points at ``type:``. A failed ``required`` is something
missing, so it points at the object's ``kind:`` line. The message is the nearest
``x-message`` on the way to the failing subschema, else the rule's ``message``;
``{kind} {name} {namespace} {value}`` are filled in. A rule's ``fix.ops`` (``set`` and
``remove`` at a pointer) become the fix of every violation of an object, when the
object's format lets all of them be written (:mod:`eksguard.checks.fixing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from eksguard.engine.rules import Rule
from eksguard.findings import Violation
from eksguard.model import K8sObject, text


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, obj: K8sObject, value: object = None) -> str:
    values = _Blank(kind=obj.kind, name=obj.name or "?", namespace=obj.namespace or "", value=text(value) or "")
    return template.format_map(values)


@lru_cache(maxsize=None)
def _validator(rule_code: str, schema_json: str):
    import json

    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(schema_json))


def _message(rule: Rule, schema_path) -> str:
    node = rule.schema
    message = rule.message
    for step in schema_path:
        if isinstance(node, dict):
            if isinstance(node.get("x-message"), str):
                message = node["x-message"]
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            break
    if isinstance(node, dict) and isinstance(node.get("x-message"), str):
        message = node["x-message"]
    return message


def fix_of(rule: Rule, obj: K8sObject):
    """The rule's ``fix.ops`` as a :class:`~eksguard.fixes.Fix` for ``obj``, or None."""
    ops = rule.fix.get("ops")
    if not ops:
        return None
    from eksguard.checks.fixing import all_of, remove_value, set_value
    from eksguard.fixes import Fix

    changes = all_of(*(set_value(obj, obj.pointer_path(op["path"]), op["value"]) if op["op"] == "set"
                       else remove_value(obj, obj.pointer_path(op["path"])) for op in ops))
    return Fix(rule.fix.get("title") or "apply the rule's fix", changes) if changes else None


_VALIDATORS: dict[str, tuple[object, object]] = {}


def _validator_of(rule: Rule):
    """The rule's compiled validator, built once per rule (not once per object: the
    schema's JSON text, the cache key, took longer to write than many checks run)."""
    import json

    cached = _VALIDATORS.get(rule.code)
    if cached is None or cached[0] is not rule.schema:
        cached = _VALIDATORS[rule.code] = (rule.schema, _validator(rule.code, json.dumps(rule.schema, sort_keys=True)))
    return cached[1]


def evaluate(rule: Rule, obj: K8sObject) -> Iterator[Violation]:
    fix = ...
    validator = _validator_of(rule)
    seen: set[tuple] = set()
    if obj.is_unknown("metadata", "annotations"):
        return  # annotations hold unresolved values: any verdict would be a guess
    for error in validator.iter_errors(obj.body):
        path = tuple(error.absolute_path)
        if any(obj.is_unknown(*path[:i]) for i in range(len(path) + 1)):
            continue
        if error.validator == "required" or not path:
            location = obj.kind_location()
        else:
            location = obj.location(*path)
        key = (location.line, location.column, path)
        if key in seen:
            continue
        seen.add(key)
        if fix is ...:
            fix = fix_of(rule, obj)
        yield Violation(
            location=location,
            message=render(_message(rule, error.absolute_schema_path), obj, error.instance),
            object=obj.ref,
            json_path=obj.json_path(*obj.prefix, *path),
            fix=fix,
        )
