"""Write a realistic EKS platform repository of N files, for bench/run.py.

Usage: python bench/generate.py FOLDER [--files N] [--seed S]

Deterministic for a given N and seed. The mix follows what platform repos hold
(shares of the file count):

- ~62% team manifests, one folder per service: a Deployment + Service file (multi-
  document), an Ingress with ALB annotations, a PodDisruptionBudget, a ServiceAccount
  with an IRSA role annotation, a ConfigMap, a HorizontalPodAutoscaler;
- ~6% ``helm template`` output with ``# Source:`` comments (several documents each:
  the workload, its RBAC, a webhook with its certificate Secret, and now and then a
  CustomResourceDefinition, kinds no rule reads);
- ~2% Karpenter NodePools with their EC2NodeClass, ~1% cluster-wide files (aws-auth,
  IngressClasses), ~2% eksctl ClusterConfig files;
- ~22% Terraform, in module folders of eleven files written by
  ``bench/terraform_parsers.py`` (the terraform-aws-modules/eks module v20/v21 or bare
  ``aws_eks_*`` resources, ``aws_eks_addon``, IAM, node groups, ``kubectl_manifest``
  heredoc YAML, ``helm_release``);
- ~5% shell scripts with ``aws eks``/``eksctl``/``kubectl`` commands, and GitHub
  workflows that run them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import terraform_parsers as tf  # noqa: E402 - the Terraform platform generator lives there

TEAMS = ["payments", "search", "ledger", "storefront", "identity", "catalog", "shipping", "risk", "data",
         "growth", "support", "platform"]
INSTANCE_FAMILIES = ["c", "m", "r", "t"]


def _deployment(rng: random.Random, team: str, app: str) -> str:
    replicas = rng.randint(1, 6)
    env = "\n".join(f"            - name: VAR_{i}\n              value: \"{rng.randint(0, 10**6)}\"" for i in range(rng.randint(2, 8)))
    return f"""# {app}: owned by team {team}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {team}
  labels:
    app.kubernetes.io/name: {app}
    app.kubernetes.io/part-of: {team}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      serviceAccountName: {app}
      containers:
        - name: {app}
          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/{team}/{app}:{rng.randint(1, 90)}.{rng.randint(0, 20)}.0
          ports:
            - containerPort: 8080
              name: http
          resources:
            requests:
              cpu: {rng.choice(['100m', '250m', '500m', '1'])}
              memory: {rng.choice(['128Mi', '256Mi', '512Mi', '1Gi'])}
            limits:
              memory: {rng.choice(['256Mi', '512Mi', '1Gi', '2Gi'])}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          env:
{env}
---
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {team}
spec:
  type: {rng.choice(['ClusterIP', 'ClusterIP', 'NodePort'])}
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def _ingress(rng: random.Random, team: str, app: str) -> str:
    group = f"\n    alb.ingress.kubernetes.io/group.name: {team}" if rng.random() < 0.6 else ""
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: {team}
  annotations:
    alb.ingress.kubernetes.io/scheme: {rng.choice(['internet-facing', 'internal'])}
    alb.ingress.kubernetes.io/target-type: {rng.choice(['ip', 'instance'])}
    alb.ingress.kubernetes.io/listen-ports: '[{{"HTTPS":443}}]'
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/{rng.randint(10**8, 10**9)}
    alb.ingress.kubernetes.io/healthcheck-path: /healthz{group}
spec:
  ingressClassName: alb
  rules:
    - host: {app}.{team}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port:
                  name: http
"""


def _pdb(rng: random.Random, team: str, app: str) -> str:
    budget = rng.choice(["minAvailable: 1", "maxUnavailable: 1", "minAvailable: 50%", "maxUnavailable: 0"])
    return f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
  namespace: {team}
spec:
  {budget}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
"""


def _service_account(rng: random.Random, team: str, app: str) -> str:
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  namespace: {team}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/{team}-{app}
    eks.amazonaws.com/sts-regional-endpoints: "true"
"""


def _config_map(rng: random.Random, team: str, app: str) -> str:
    data = "\n".join(f"  key_{i}: \"{rng.randint(0, 10**9)}\"" for i in range(rng.randint(3, 15)))
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {team}
data:
{data}
  application.yaml: |
    server:
      port: 8080
    feature-flags:
      new-checkout: {rng.choice(['true', 'false'])}
"""


def _hpa(rng: random.Random, team: str, app: str) -> str:
    low = rng.randint(1, 3)
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: {team}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app}
  minReplicas: {low}
  maxReplicas: {low + rng.randint(2, 20)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {rng.choice([60, 70, 80])}
"""


APP_FILES = {"deployment.yaml": _deployment, "ingress.yaml": _ingress, "pdb.yaml": _pdb,
             "serviceaccount.yaml": _service_account, "configmap.yaml": _config_map, "hpa.yaml": _hpa}


def _rendered(rng: random.Random, chart: str, index: int) -> str:
    """``helm template`` output: several documents, each after its ``# Source:`` comment.
    As real charts render: the workload with its RBAC, webhook certificate and webhook,
    and, for the charts that ship them (``--include-crds``), a CustomResourceDefinition
    every fourth release."""
    docs = []
    makers = [("serviceaccount.yaml", _service_account), ("configmap.yaml", _config_map),
              ("deployment.yaml", _deployment), ("pdb.yaml", _pdb), ("rbac.yaml", _rbac),
              ("webhook.yaml", _webhook)]
    if chart in ("cert-manager", "karpenter") and index % 4 == 0:
        makers.insert(0, ("crds.yaml", _crd))
    for template, maker in makers:
        body = maker(rng, "addons", f"{chart}-{index}")
        docs.append(f"---\n# Source: {chart}/templates/{template}\n{body}")
    return "".join(docs)


def _rbac(rng: random.Random, namespace: str, app: str) -> str:
    """The ClusterRole, ClusterRoleBinding, Role and RoleBinding a controller chart renders."""
    rules = "".join(
        f"""- apiGroups: ["{group}"]
  resources: [{", ".join(rng.sample(["pods", "nodes", "services", "endpoints", "events", "configmaps",
                                     "secrets", "leases", "ingresses", "nodeclaims"], 3))}]
  verbs: ["get", "list", "watch"{', "create", "patch", "update"' if rng.random() < 0.5 else ""}]
""" for group in rng.sample(["", "apps", "coordination.k8s.io", "networking.k8s.io", "karpenter.sh",
                             "cert-manager.io", "discovery.k8s.io"], 5))
    return f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {app}
  labels: {{app.kubernetes.io/name: {app}, app.kubernetes.io/managed-by: Helm}}
rules:
{rules}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {app}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {app}}}
subjects:
- {{kind: ServiceAccount, name: {app}, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {app}-leader-election
  namespace: {namespace}
rules:
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {app}-leader-election
  namespace: {namespace}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {app}-leader-election}}
subjects:
- {{kind: ServiceAccount, name: {app}, namespace: {namespace}}}
"""


def _webhook(rng: random.Random, namespace: str, app: str) -> str:
    """The webhook's serving certificate (a Secret) and its ValidatingWebhookConfiguration."""
    blob = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(1200))
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: {app}-webhook-cert
  namespace: {namespace}
type: kubernetes.io/tls
data:
  tls.crt: {blob}
  tls.key: {blob[::-1]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {app}
webhooks:
- name: validation.{app}.example.com
  admissionReviewVersions: ["v1"]
  sideEffects: None
  failurePolicy: Fail
  clientConfig:
    service: {{name: {app}-webhook, namespace: {namespace}, path: /validate}}
  rules:
  - apiGroups: ["*"]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["*"]
"""


def _crd(rng: random.Random, namespace: str, app: str) -> str:
    """A CustomResourceDefinition with an OpenAPI schema of the size real controllers ship
    (~30 KiB: nested objects, each property with its description)."""
    def properties(depth: int, indent: int) -> str:
        pad = " " * indent
        out = []
        for i in range(rng.randint(3, 6) if depth < 3 else rng.randint(2, 3)):
            name = f"{rng.choice(['spec', 'status', 'limit', 'template', 'selector', 'policy'])}Field{i}"
            words = " ".join(rng.choice(["the", "node", "pool", "controller", "sets", "when", "value", "this",
                                         "field", "is", "applied", "to", "every", "instance"]) for _ in range(18))
            out.append(f"{pad}{name}:\n{pad}  description: {words}.\n")
            if depth < 3 and rng.random() < 0.6:
                out.append(f"{pad}  type: object\n{pad}  properties:\n{properties(depth + 1, indent + 4)}")
            else:
                out.append(f"{pad}  type: {rng.choice(['string', 'integer', 'boolean'])}\n")
        return "".join(out)

    group = "example.io"
    return f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets{app.replace("-", "")}.{group}
spec:
  group: {group}
  names: {{kind: Widget, listKind: WidgetList, plural: widgets{app.replace("-", "")}, singular: widget}}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
{properties(0, 10)}"""


def _nodepool(rng: random.Random, index: int) -> str:
    name = f"pool-{index:03d}"
    families = rng.sample(INSTANCE_FAMILIES, rng.randint(1, 3))
    limits = f"  limits:\n    cpu: \"{rng.choice([100, 500, 1000])}\"\n" if rng.random() < 0.8 else ""
    max_pods = f"  kubelet:\n    maxPods: {rng.choice([58, 110])}\n" if rng.random() < 0.5 else ""
    return f"""apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: {name}
spec:
  template:
    spec:
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: {name}
      requirements:
        - key: karpenter.sh/capacity-type
          operator: In
          values: {rng.choice(['["spot", "on-demand"]', '["on-demand"]', '["spot"]'])}
        - key: karpenter.k8s.aws/instance-category
          operator: In
          values: [{", ".join(f'"{f}"' for f in families)}]
        - key: karpenter.k8s.aws/instance-generation
          operator: Gt
          values: ["{rng.randint(4, 6)}"]
{limits}  disruption:
    consolidationPolicy: {rng.choice(['WhenEmptyOrUnderutilized', 'WhenEmpty'])}
    consolidateAfter: 1m
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: {name}
spec:
  role: KarpenterNodeRole-platform
  amiSelectorTerms:
    - alias: al2023@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: platform
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: platform
{max_pods}"""


def _aws_auth(rng: random.Random, index: int) -> str:
    roles = "\n".join(f"""    - rolearn: arn:aws:iam::123456789012:role/team-{t}
      username: team-{t}
      groups:
        - {t}-editors""" for t in rng.sample(TEAMS, 4))
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::123456789012:role/nodes-{index}
      username: system:node:{{{{EC2PrivateDNSName}}}}
      groups:
        - system:bootstrappers
        - system:nodes
{roles}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb-{index}
spec:
  controller: ingress.k8s.aws/alb
"""


def _eksctl(rng: random.Random, index: int) -> str:
    return f"""apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: cluster-{index:03d}
  region: eu-west-{rng.randint(1, 3)}
  version: "1.{rng.randint(28, 33)}"
accessConfig:
  authenticationMode: {rng.choice(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'])}
iam:
  withOIDC: true
addons:
  - name: vpc-cni
    version: latest
    resolveConflicts: {rng.choice(['overwrite', 'preserve'])}
    configurationValues: '{{"env":{{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}}}'
  - name: coredns
  - name: eks-pod-identity-agent
managedNodeGroups:
  - name: ng-{index}
    instanceType: {rng.choice(tf.INSTANCES)}
    minSize: 1
    maxSize: {rng.randint(3, 30)}
    desiredCapacity: 2
    maxPodsPerNode: {rng.choice([29, 58, 110])}
"""


def _script(rng: random.Random, index: int) -> str:
    addon = rng.choice(tf.ADDONS)
    return f"""#!/usr/bin/env bash
# Runbook step {index}: upgrade add-ons and tune the CNI.
set -euo pipefail
CLUSTER="${{1:-cluster-{index:03d}}}"

aws eks update-addon \\
  --cluster-name "$CLUSTER" \\
  --addon-name {addon} \\
  --resolve-conflicts {rng.choice(['OVERWRITE', 'PRESERVE'])}
aws eks update-cluster-config --name "$CLUSTER" \\
  --access-config authenticationMode={rng.choice(['API', 'API_AND_CONFIG_MAP'])}
eksctl utils update-kube-proxy --cluster "$CLUSTER" --approve
kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true WARM_PREFIX_TARGET=1
kubectl rollout status daemonset aws-node -n kube-system
"""


def _workflow(rng: random.Random, index: int) -> str:
    return f"""name: deploy-{index}
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Upgrade add-ons
        run: |
          aws eks update-addon --cluster-name cluster-{index:03d} --addon-name {rng.choice(tf.ADDONS)} --resolve-conflicts OVERWRITE
      - name: Apply
        run: kubectl apply -k overlays/prod
"""


def generate(folder: Path, files: int = 5000, seed: int = 7) -> int:
    """Write about ``files`` files below ``folder`` (emptied first); return how many."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = 0

    def write(rel: str, text: str) -> None:
        nonlocal written
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written += 1

    platforms = max(1, round(files * 0.22 / 11))
    written += len(tf.generate(folder / "infra", platforms, seed=seed))
    for i in range(max(1, round(files * 0.02))):
        write(f"clusters/cluster-{i:03d}.yaml", _eksctl(rng, i))
    for i in range(max(1, round(files * 0.02))):
        write(f"platform/karpenter/pool-{i:03d}.yaml", _nodepool(rng, i))
    for i in range(max(1, round(files * 0.01))):
        write(f"platform/cluster-{i:03d}/aws-auth.yaml", _aws_auth(rng, i))
    for i in range(max(1, round(files * 0.06))):
        chart = rng.choice(["ingress-nginx", "external-dns", "cert-manager", "karpenter", "metrics-server"])
        write(f"rendered/{chart}-{i:03d}.yaml", _rendered(rng, chart, i))
    scripts = max(2, round(files * 0.05))
    for i in range(scripts):
        if i % 3 == 2:
            write(f".github/workflows/deploy-{i:03d}.yml", _workflow(rng, i))
        else:
            write(f"scripts/runbook-{i:03d}.sh", _script(rng, i))
    app = 0
    while written < files:
        team = TEAMS[app % len(TEAMS)]
        for name, maker in APP_FILES.items():
            if written >= files:
                break
            write(f"teams/{team}/app-{app:04d}/{name}", maker(rng, team, f"app-{app:04d}"))
        app += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    count = generate(args.folder, args.files, args.seed)
    size = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file())
    print(f"wrote {count} files, {size / 1048576:.1f} MiB, to {args.folder}")


if __name__ == "__main__":
    main()
