"""Positions and safety of the event-driven YAML loader."""

from __future__ import annotations

import pickle
import time

import pytest

from eksguard.yaml_loader import YamlLimits, YamlProblem, YMap, YSeq, load_documents, locate, value_mark

TEXT = """\
# leading comment
apiVersion: v1
kind: Service
metadata:
  name: "web"
  annotations:
    a.example.com/x: 'true'
    b: [1, {c: 2}]
spec:
  ports:
    - port: 80
      name: http
---
second: doc
"""


def test_values_are_plain_data_with_resolved_scalars():
    docs = load_documents("a: 1\nb: yes\nc: ~\nd: 1.5\ne: '1'\nf: 0x1f\ng: 2024-01-01\nh: !!str 3\n")
    assert docs[0].value == {"a": 1, "b": True, "c": None, "d": 1.5, "e": "1", "f": 31, "g": "2024-01-01", "h": "3"}
    assert isinstance(docs[0].value, dict) and isinstance(docs[0].value, YMap)


def test_key_and_value_positions_are_one_based():
    docs = load_documents(TEXT)
    root = docs[0].value
    assert locate(root, ("kind",)) == ((3, 1), True)
    assert locate(root, ("metadata", "annotations", "a.example.com/x")) == ((7, 5), True)
    assert value_mark(root, ("metadata", "annotations", "a.example.com/x")) == (7, 22)
    assert locate(root, ("metadata", "annotations", "b", 1, "c")) == ((8, 13), True)
    assert locate(root, ("spec", "ports", 0, "name")) == ((12, 7), True)
    assert locate(root, ("spec", "ports", 0)) == ((11, 7), True)


def test_missing_path_reports_deepest_existing_part():
    root = load_documents(TEXT)[0].value
    assert locate(root, ("metadata", "labels", "app")) == ((4, 1), False)


def test_documents_know_their_index_and_lines():
    docs = load_documents(TEXT)
    assert [d.index for d in docs] == [0, 1]
    assert docs[1].value == {"second": "doc"}
    assert locate(docs[1].value, ("second",)) == ((14, 1), True)


def test_crlf_and_unicode_columns():
    root = load_documents("a: é\r\nb: {c: 1}\r\n")[0].value
    assert locate(root, ("b", "c")) == ((2, 5), True)


def test_aliases_share_objects_and_merge_keys_apply():
    docs = load_documents("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n")
    root = docs[0].value
    assert root["use"] == {"x": 1, "y": 3}
    assert root["ref"] is root["base"]
    assert locate(root, ("use", "x")) == ((1, 11), True)


def test_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        bomb += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match="alias bomb"):
        load_documents(bomb)
    assert time.perf_counter() - started < 5  # hang guard, not a benchmark


@pytest.mark.parametrize("depth", [1_001, 200_000])
def test_deep_nesting_is_refused_fast(depth):
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match="nesting deeper than 1000"):
        load_documents("[" * depth + "]" * depth)
    assert time.perf_counter() - started < 5


def test_nesting_within_limit_loads():
    value = load_documents("[" * 500 + "]" * 500, YamlLimits())[0].value
    assert isinstance(value, YSeq)


def test_python_tags_are_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    docs = load_documents(f"a: !!python/object/apply:os.system ['touch {marker}']\nb: !!python/name:os.system ''\n")
    assert not marker.exists()
    assert docs[0].value["b"] == ""
    assert docs[0].value["a"] == [f"touch {marker}"]


def test_syntax_error_keeps_earlier_documents_and_position():
    with pytest.raises(YamlProblem) as info:
        load_documents("a: 1\n---\nb: [1, 2\n")
    assert [d.value for d in info.value.documents] == [{"a": 1}]
    assert (info.value.line, info.value.column) == (4, 1)
    assert info.value.message.startswith("YAML syntax error")


def test_keys_are_shared_across_files_and_positions_kept_compact():
    """Memory: every key is one string for the whole process, and a mapping's positions
    are one array of ints (its own, then four per key), not tuples in two dicts: on 9.5 MB
    of Deployments the loaded documents took 271 MiB with the dicts and 134 MiB with the
    array."""
    from array import array

    first = load_documents("kind: A\nspec:\n  replicas: 1\n")[0].value
    second = load_documents("kind: B\nspec:\n  replicas: 2\n")[0].value
    assert [k for k in first["spec"]][0] is [k for k in second["spec"]][0]
    one, two = (load_documents(f"v: apps/v1\nn: {n}\n")[0].value for n in (1, 2))
    assert one["v"] is two["v"]  # short scalars too
    from_cache = pickle.loads(pickle.dumps(two))  # the parse cache, a worker's results
    assert [k for k in from_cache][0] is [k for k in one][0] and from_cache["v"] is one["v"]
    spec = first["spec"]
    assert spec.key_mark("replicas") == (3, 3) and spec.value_mark("replicas") == (3, 13)
    assert spec.mark == (3, 3) and first.mark == (1, 1)
    assert isinstance(spec.marks, array) and list(spec.marks) == [3, 3, 3, 3, 3, 13]
    assert list(first.marks) == [1, 1, 1, 1, 1, 7, 2, 1, 3, 3]


def test_positions_survive_pickling_duplicates_merges_and_sequences():
    text = ("base: &b {x: 1, y: 2}\n"
            "m:\n  <<: *b\n  y: 3\n  z: [a,\n    b]\n"
            "d: 1\nd: 2\n")
    doc = load_documents(text)[0].value
    again = pickle.loads(pickle.dumps(doc))
    for value in (doc, again):
        assert value.key_mark("d") == (8, 1) and value.value_mark("d") == (8, 4)  # the last one wins (EKS001 says so)
        assert value["d"] == 2 and list(value) == ["base", "m", "d"]
        m = value["m"]
        assert list(m) == ["y", "z", "x"] and m["y"] == 3
        assert m.key_mark("y") == (4, 3) and m.key_mark("x") == (1, 11)  # merged: where the anchor wrote it
        assert m["z"].item_mark(0) == (5, 7) and m["z"].item_mark(-1) == (6, 5)
        assert m["z"].item_marks() == [(5, 7), (6, 5)] and m["z"].item_mark(2) is None
        assert locate(value, ("m", "z", 1)) == ((6, 5), True)
        assert value_mark(value, ("m", "y")) == (4, 6)


def test_a_key_set_without_positions_makes_the_map_unpositioned_not_wrong():
    """``m[k] = v`` bypasses :meth:`YMap.put`: from then on the map's keys read as
    unpositioned (locate falls back to the map itself), never as another key's place."""
    doc = load_documents("a: 1\nb:\n  c: 2\n")[0].value
    inner = doc["b"]
    inner["new"] = 3
    assert inner.key_mark("c") is None and inner.key_mark("new") is None
    assert locate(doc, ("b", "c")) == ((2, 1), True)  # b's key: the deepest place still known
    inner.put("c", 5)  # put keeps the map as it is
    assert inner.key_mark("c") is None
    fresh = load_documents("a: 1\n")[0].value
    fresh.put("z", 0)  # a key put without a position has none, the others keep theirs
    assert fresh.key_mark("z") is None and fresh.key_mark("a") == (1, 1)
    fresh.put("bad", 1, (-1, 2), (2**40, 1))  # no file has such a place: unknown, not a crash
    seq = YSeq()
    seq.append_marked("x", (0, -5))
    seq.mark = (-1, -1)
    assert fresh.key_mark("bad") is None and fresh.value_mark("bad") is None and seq.item_mark(0) is None
    assert fresh.key_mark("a") == (1, 1) and seq.mark == (0, 0)


def test_shared_marks_are_bounded(monkeypatch):
    """Terraform's marks stay tuples, one per (line, column) up to a bound."""
    from eksguard import yaml_loader

    monkeypatch.setattr(yaml_loader, "SHARED_MARKS", {})
    monkeypatch.setattr(yaml_loader, "MAX_SHARED_MARKS", 10)
    marks = [yaml_loader.shared_mark(i, 1) for i in range(50)]
    assert len(yaml_loader.SHARED_MARKS) == 10
    assert yaml_loader.shared_mark(3, 1) is marks[3] and yaml_loader.shared_mark(49, 1) is not marks[49]
