"""EKS406's related locations: the near misses a person needs, not every PDB in sight
(found in the corpus review, testdata/corpus/kubernetes/workloads)."""

from __future__ import annotations

from eksguard.engine.runner import scan


def deployment(name: str, labels: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\n"
            f"spec:\n  replicas: 3\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {labels}}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n")


def pdb(name: str, namespace: str, selector: str) -> str:
    return (f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  maxUnavailable: 1\n  selector: {selector}\n")


def related(tmp_path, plugins, *docs: str) -> dict[str, list[str]]:
    (tmp_path / "all.yaml").write_text("---\n".join(docs))
    result = scan([str(tmp_path)], plugins, cwd=tmp_path)
    return {f.object.name: [r.message for r in f.related] for f in result.findings if f.code == "EKS406"}


def test_unrelated_pdbs_of_the_namespace_are_not_near_misses(tmp_path, plugins):
    found = related(
        tmp_path, plugins,
        deployment("catalog", "{app: catalog, tier: web}"),
        pdb("catalog", "default", "{matchLabels: {app: catalog}}"),           # the real mistake
        pdb("checkout", "shop", "{matchLabels: {app: checkout}}"),            # someone else's
        pdb("web", "shop", "{matchExpressions: [{key: tier, operator: In, values: [web-old]}]}"),
        deployment("search", "{app: search, component: api}"),
        pdb("search", "shop", "{matchLabels: {app: search, component: indexer}}"),  # shares app=search
    )
    assert found["catalog"] == ["PodDisruptionBudget default/catalog matches these labels in another namespace"]
    assert found["search"] == ["PodDisruptionBudget search in this namespace does not select these pods"]


def test_without_a_closer_miss_a_few_pdbs_of_the_namespace_are_shown(tmp_path, plugins):
    found = related(tmp_path, plugins, deployment("api", "{app: api}"),
                    *(pdb(f"other-{i}", "shop", f"{{matchLabels: {{app: other-{i}}}}}") for i in range(6)))
    assert len(found["api"]) == 3
