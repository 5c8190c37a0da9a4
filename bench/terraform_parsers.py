"""Which Terraform parser eksguard uses, decided on numbers: python-hcl2 vs tree-sitter-hcl.

Usage: python bench/terraform_parsers.py [FOLDER] [--platforms N] [--runs N] [--keep DIR]

Without FOLDER a corpus of realistic EKS platform repos is generated (N platforms of
eleven files each: the terraform-aws-modules/eks module with v20 or v21 inputs, or
bare ``aws_eks_*`` resources; add-ons, node groups, launch templates with heredoc
user data, IAM roles with ``jsonencode`` and ``aws_iam_policy_document`` trust
policies, ``kubernetes_*`` resources, ``kubectl_manifest`` heredocs, ``helm_release``).
With FOLDER every ``*.tf`` below it is used. Reported per parser, best of ``--runs``:

- ``python-hcl2``: ``hcl2.loads`` of every file, then a walk of the resulting dicts;
- ``tree-sitter``: ``Parser.parse`` of every file, then a cursor walk of every node
  (what a positional evaluator must at least do);
- ``eksguard``: the adapter's own reader (:mod:`eksguard.adapters.terraform.hcl`),
  parse plus evaluation of every block into positioned values.

Numbers, not asserts. Needs the ``test`` extra (python-hcl2 is the test oracle).

Measured (2026-12-03, python 3.11, python-hcl2 8.1.4, tree-sitter 0.26.1, tree-sitter-hcl
1.2.0, an idle 2-vCPU machine), ``python bench/terraform_parsers.py --platforms 53
--runs 3`` on 583 files / 39,001 lines / 923 KiB, best of 3:

    python-hcl2 (parse + dict walk)           10.221 s    17.53 ms/file
    tree-sitter-hcl (parse + node walk)        0.458 s     0.79 ms/file
    eksguard hcl.py (parse + evaluate)         0.963 s     1.65 ms/file

The issue's figures (9.7 s vs 0.6 s on 580 real files) hold: tree-sitter-hcl is chosen,
22x faster than python-hcl2 with the walk alone. Evaluating every block into positioned
values (references, templates, heredoc line maps) about doubles the bare walk; it stays
10x under python-hcl2, which gives no positions at all.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADDONS = ["coredns", "kube-proxy", "vpc-cni", "eks-pod-identity-agent", "aws-ebs-csi-driver", "snapshot-controller"]
INSTANCES = ["m6i.large", "m6i.xlarge", "c6i.2xlarge", "m7g.large", "r6i.xlarge", "t3.large", "m5.4xlarge"]


def _module_v20(rng: random.Random, name: str) -> str:
    addons = "\n".join(
        f"""    {a} = {{
      most_recent                 = true
      resolve_conflicts_on_update = "{rng.choice(['OVERWRITE', 'PRESERVE'])}"
    }}""" for a in rng.sample(ADDONS, 4)
    )
    groups = "\n".join(
        f"""    {g} = {{
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = ["{rng.choice(INSTANCES)}", "{rng.choice(INSTANCES)}"]
      min_size       = {rng.randint(1, 3)}
      max_size       = {rng.randint(4, 20)}
      desired_size   = 2
      labels = {{
        workload = "{g}"
      }}
      taints = {{
        dedicated = {{
          key    = "dedicated"
          value  = "{g}"
          effect = "NO_SCHEDULE"
        }}
      }}
    }}""" for g in rng.sample(["general", "batch", "system", "gpu", "ingress"], 2)
    )
    return f'''module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name    = local.name
  cluster_version = "1.{rng.randint(28, 33)}"

  cluster_endpoint_public_access       = {rng.choice(['true', 'false'])}
  cluster_endpoint_public_access_cidrs = ["10.0.0.0/8", "192.168.{rng.randint(0, 255)}.0/24"]
  enable_cluster_creator_admin_permissions = true
  authentication_mode = "API_AND_CONFIG_MAP"

  cluster_addons = {{
{addons}
  }}

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.intra_subnets

  eks_managed_node_group_defaults = {{
    instance_types = ["m6i.large", "m5.large", "m5n.large"]
  }}

  eks_managed_node_groups = {{
{groups}
  }}

  access_entries = {{
    admin = {{
      principal_arn = "arn:aws:iam::{rng.randint(10**11, 10**12 - 1)}:role/{name}-admin"
      policy_associations = {{
        admin = {{
          policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = {{
            type = "cluster"
          }}
        }}
      }}
    }}
  }}

  tags = local.tags
}}
'''


def _module_v21(rng: random.Random, name: str) -> str:
    addons = "\n".join(
        f"""    {a} = {{
      before_compute = {rng.choice(['true', 'false'])}
      configuration_values = jsonencode({{
        env = {{
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
        }}
      }})
    }}""" for a in rng.sample(ADDONS, 4)
    )
    return f'''module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = local.name
  kubernetes_version = "1.{rng.randint(30, 34)}"

  endpoint_public_access = true
  enabled_log_types      = ["api", "audit"]

  addons = {{
{addons}
  }}

  compute_config = {{
    enabled    = {rng.choice(['true', 'false'])}
    node_pools = ["general-purpose"]
  }}

  eks_managed_node_groups = {{
    default = {{
      instance_types = ["{rng.choice(INSTANCES)}"]
      min_size       = 1
      max_size       = {rng.randint(3, 30)}
      desired_size   = 2
      cloudinit_pre_nodeadm = [
        {{
          content_type = "application/node.eks.aws"
          content      = <<-EOT
            ---
            apiVersion: node.eks.aws/v1alpha1
            kind: NodeConfig
            spec:
              kubelet:
                config:
                  maxPods: {rng.choice([58, 110, 250])}
          EOT
        }}
      ]
    }}
  }}

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets
  tags       = local.tags
}}
'''


def _resources(rng: random.Random, name: str) -> str:
    return f'''resource "aws_eks_cluster" "this" {{
  name     = "{name}"
  role_arn = aws_iam_role.cluster.arn
  version  = "1.{rng.randint(29, 33)}"

  access_config {{
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = {rng.choice(['true', 'false'])}
  }}

  vpc_config {{
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = {rng.choice(['true', 'false'])}
    public_access_cidrs     = ["0.0.0.0/0"]
  }}

  encryption_config {{
    resources = ["secrets"]
    provider {{
      key_arn = aws_kms_key.eks.arn
    }}
  }}

  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  depends_on = [aws_iam_role_policy_attachment.cluster]
}}

resource "aws_eks_access_entry" "admin" {{
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = "arn:aws:iam::{rng.randint(10**11, 10**12 - 1)}:role/platform-admin"
  type          = "STANDARD"
}}

resource "aws_eks_access_policy_association" "admin" {{
  cluster_name  = aws_eks_cluster.this.name
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  principal_arn = aws_eks_access_entry.admin.principal_arn

  access_scope {{
    type = "cluster"
  }}
}}
'''


def _addons(rng: random.Random) -> str:
    out = []
    for addon in rng.sample(ADDONS, 4):
        out.append(f'''resource "aws_eks_addon" "{addon.replace('-', '_')}" {{
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "{addon}"
  addon_version               = data.aws_eks_addon_version.{addon.replace('-', '_')}.version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "{rng.choice(['OVERWRITE', 'PRESERVE', 'NONE'])}"
  configuration_values = jsonencode({{
    replicaCount = {rng.randint(2, 4)}
    resources = {{
      limits   = {{ cpu = "100m", memory = "150Mi" }}
      requests = {{ cpu = "100m", memory = "150Mi" }}
    }}
  }})

  pod_identity_association {{
    role_arn        = aws_iam_role.{addon.replace('-', '_')}.arn
    service_account = "{addon}-sa"
  }}

  tags = var.tags
}}
''')
    return "\n".join(out)


def _iam(rng: random.Random, name: str) -> str:
    roles = []
    for role in ("cluster", "node", "ebs_csi", "karpenter"):
        roles.append(f'''resource "aws_iam_role" "{role}" {{
  name = "${{var.cluster_name}}-{role}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect = "Allow"
        Principal = {{
          Service = "{rng.choice(['eks.amazonaws.com', 'ec2.amazonaws.com', 'pods.eks.amazonaws.com'])}"
        }}
        Action = ["sts:AssumeRole", "sts:TagSession"]
      }},
    ]
  }})
  tags = local.tags
}}

resource "aws_iam_role_policy_attachment" "{role}" {{
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
  role       = aws_iam_role.{role}.name
}}
''')
    roles.append('''data "aws_iam_policy_document" "irsa" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    effect  = "Allow"

    condition {
      test     = "StringEquals"
      variable = "${replace(module.eks.cluster_oidc_issuer_url, "https://", "")}:sub"
      values   = ["system:serviceaccount:kube-system:aws-node"]
    }

    principals {
      identifiers = [module.eks.oidc_provider_arn]
      type        = "Federated"
    }
  }
}

resource "aws_iam_role" "irsa" {
  name               = "vpc-cni-irsa"
  assume_role_policy = data.aws_iam_policy_document.irsa.json
}
''')
    return "\n".join(roles)


def _nodes(rng: random.Random) -> str:
    return f'''resource "aws_launch_template" "workers" {{
  name_prefix   = "workers-"
  image_id      = data.aws_ami.eks.id
  instance_type = "{rng.choice(INSTANCES)}"

  metadata_options {{
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }}

  user_data = base64encode(<<-EOT
    #!/bin/bash
    set -o xtrace
    /etc/eks/bootstrap.sh ${{var.cluster_name}} --use-max-pods false --kubelet-extra-args '--max-pods={rng.choice([29, 58, 110])}'
  EOT
  )

  tag_specifications {{
    resource_type = "instance"
    tags = {{
      Name = "eks-worker"
    }}
  }}
}}

resource "aws_eks_node_group" "workers" {{
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "workers"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  capacity_type   = "{rng.choice(['ON_DEMAND', 'SPOT'])}"
  instance_types  = ["{rng.choice(INSTANCES)}"]

  scaling_config {{
    desired_size = 2
    max_size     = {rng.randint(3, 12)}
    min_size     = 1
  }}

  update_config {{
    max_unavailable = 1
  }}

  launch_template {{
    id      = aws_launch_template.workers.id
    version = aws_launch_template.workers.latest_version
  }}

  labels = {{
    role = "workers"
  }}

  taint {{
    key    = "dedicated"
    value  = "workers"
    effect = "NO_SCHEDULE"
  }}
}}
'''


def _kubernetes(rng: random.Random) -> str:
    return f'''resource "kubernetes_ingress_v1" "web" {{
  metadata {{
    name      = "web"
    namespace = "shop"
    annotations = {{
      "alb.ingress.kubernetes.io/scheme"      = "internet-facing"
      "alb.ingress.kubernetes.io/target-type" = "{rng.choice(['ip', 'instance'])}"
      "alb.ingress.kubernetes.io/group.name"  = "shop"
    }}
  }}

  spec {{
    ingress_class_name = "alb"
    rule {{
      host = "shop.example.com"
      http {{
        path {{
          path      = "/"
          path_type = "Prefix"
          backend {{
            service {{
              name = "web"
              port {{
                number = 80
              }}
            }}
          }}
        }}
      }}
    }}
  }}
}}

resource "kubernetes_service_account_v1" "app" {{
  metadata {{
    name      = "app"
    namespace = "shop"
    annotations = {{
      "eks.amazonaws.com/role-arn" = aws_iam_role.irsa.arn
    }}
  }}
}}

resource "kubernetes_deployment_v1" "web" {{
  metadata {{
    name      = "web"
    namespace = "shop"
  }}
  spec {{
    replicas = {rng.randint(1, 5)}
    selector {{
      match_labels = {{
        app = "web"
      }}
    }}
    template {{
      metadata {{
        labels = {{
          app = "web"
        }}
      }}
      spec {{
        container {{
          name  = "web"
          image = "nginx:1.27"
          port {{
            container_port = 80
          }}
          resources {{
            limits = {{
              cpu    = "500m"
              memory = "512Mi"
            }}
          }}
        }}
      }}
    }}
  }}
}}

resource "kubectl_manifest" "nodepool" {{
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: default
    spec:
      template:
        spec:
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
          requirements:
            - key: karpenter.k8s.aws/instance-category
              operator: In
              values: ["c", "m", "r"]
      limits:
        cpu: {rng.randint(100, 1000)}
      disruption:
        consolidationPolicy: WhenEmptyOrUnderutilized
        consolidateAfter: 1m
  YAML
}}
'''


def _helm(rng: random.Random) -> str:
    return f'''resource "helm_release" "lbc" {{
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  namespace  = "kube-system"
  version    = "1.{rng.randint(6, 13)}.0"

  values = [
    <<-EOT
    clusterName: ${{module.eks.cluster_name}}
    replicaCount: 2
    serviceAccount:
      name: aws-load-balancer-controller
    EOT
  ]

  set {{
    name  = "vpcId"
    value = module.vpc.vpc_id
  }}

  set {{
    name  = "region"
    value = "eu-west-1"
  }}
}}

resource "helm_release" "karpenter" {{
  name       = "karpenter"
  repository = "oci://public.ecr.aws/karpenter"
  chart      = "karpenter"
  version    = "1.{rng.randint(0, 8)}.0"
  namespace  = "kube-system"

  values = [yamlencode({{
    settings = {{
      clusterName       = module.eks.cluster_name
      interruptionQueue = module.karpenter.queue_name
    }}
    controller = {{
      resources = {{ requests = {{ cpu = "1", memory = "1Gi" }} }}
    }}
  }})]

  set = [
    {{ name = "replicas", value = "2" }},
  ]
}}
'''


def _variables(rng: random.Random, name: str) -> str:
    return f'''variable "cluster_name" {{
  description = "Name of the EKS cluster"
  type        = string
  default     = "{name}"
}}

variable "subnet_ids" {{
  description = "Private subnets"
  type        = list(string)
}}

variable "tags" {{
  type = map(string)
  default = {{
    Team        = "platform"
    Environment = "{rng.choice(['dev', 'staging', 'prod'])}"
  }}
}}

variable "resolve_conflicts" {{
  type    = string
  default = "PRESERVE"
  validation {{
    condition     = contains(["NONE", "OVERWRITE", "PRESERVE"], var.resolve_conflicts)
    error_message = "Must be NONE, OVERWRITE or PRESERVE."
  }}
}}
'''


def _locals(rng: random.Random, name: str) -> str:
    return f'''locals {{
  name   = "{name}"
  region = "eu-west-{rng.randint(1, 3)}"

  vpc_cidr = "10.{rng.randint(0, 255)}.0.0/16"
  azs      = slice(data.aws_availability_zones.available.names, 0, 3)

  tags = {{
    Example    = local.name
    GithubRepo = "platform"
  }}
}}

module "vpc" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name = local.name
  cidr = local.vpc_cidr

  azs             = local.azs
  private_subnets = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 4, k)]
  public_subnets  = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 8, k + 48)]

  enable_nat_gateway = true
  single_nat_gateway = true

  public_subnet_tags = {{
    "kubernetes.io/role/elb" = 1
  }}
  private_subnet_tags = {{
    "kubernetes.io/role/internal-elb" = 1
    "karpenter.sh/discovery"          = local.name
  }}
}}
'''


VERSIONS = '''terraform {
  required_version = ">= 1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0"
    }
    kubectl = {
      source  = "alekc/kubectl"
      version = ">= 2.0"
    }
  }
}

provider "aws" {
  region = local.region
}

provider "helm" {
  kubernetes = {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name]
    }
  }
}
'''

OUTPUTS = '''output "cluster_endpoint" {
  description = "Endpoint for your Kubernetes API server"
  value       = module.eks.cluster_endpoint
}

output "configure_kubectl" {
  description = "Configure kubectl: make sure you're logged in with the correct AWS profile"
  value       = "aws eks --region ${local.region} update-kubeconfig --name ${module.eks.cluster_name}"
}

output "node_groups" {
  value = { for k, v in module.eks.eks_managed_node_groups : k => v.node_group_arn }
}
'''


def generate(folder: Path, platforms: int, seed: int = 7) -> list[Path]:
    """Write ``platforms`` platform repos of eleven .tf files each below ``folder``."""
    rng = random.Random(seed)
    files: list[Path] = []
    for i in range(platforms):
        name = f"platform-{i:03d}"
        root = folder / name
        root.mkdir(parents=True, exist_ok=True)
        style = i % 3
        content = {
            "versions.tf": VERSIONS,
            "variables.tf": _variables(rng, name),
            "locals.tf": _locals(rng, name),
            "main.tf": (_module_v20, _module_v21, lambda r, n: _resources(r, n))[style](rng, name),
            "addons.tf": _addons(rng),
            "iam.tf": _iam(rng, name),
            "nodes.tf": _nodes(rng),
            "kubernetes.tf": _kubernetes(rng),
            "helm.tf": _helm(rng),
            "outputs.tf": OUTPUTS,
            "extra.tf": _addons(rng) + _nodes(rng),
        }
        for file_name, text in content.items():
            path = root / file_name
            path.write_text(text)
            files.append(path)
    return files


def _walk_dict(value: object) -> int:
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def bench_hcl2(texts: list[str]) -> float:
    import hcl2

    started = time.perf_counter()
    for text in texts:
        _walk_dict(hcl2.loads(text))
    return time.perf_counter() - started


def bench_tree_sitter(blobs: list[bytes]) -> float:
    import tree_sitter
    import tree_sitter_hcl

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    started = time.perf_counter()
    for blob in blobs:
        cursor = parser.parse(blob).walk()
        count = 0
        while True:  # pre-order walk of every node, touching type and position
            count += 1
            _ = cursor.node.type, cursor.node.start_point
            if cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    break
            else:
                continue
            break
    return time.perf_counter() - started


def bench_eksguard(texts: list[str]) -> float:
    from eksguard.adapters.terraform.hcl import parse_file

    started = time.perf_counter()
    for text in texts:
        parse_file(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--platforms", type=int, default=40, help="generated platforms (11 files each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="write the generated corpus here instead of a temporary folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.folder:
            files = sorted(Path(args.folder).rglob("*.tf"))
        else:
            files = generate(Path(args.keep or tmp), args.platforms)
        texts = [f.read_text(encoding="utf-8") for f in files]
    blobs = [t.encode("utf-8") for t in texts]
    lines = sum(t.count("\n") for t in texts)
    print(f"corpus: {len(files)} .tf files, {lines} lines, {sum(map(len, blobs)) / 1024:.0f} KiB")
    for name, func, data in (
        ("python-hcl2 (parse + dict walk)", bench_hcl2, texts),
        ("tree-sitter-hcl (parse + node walk)", bench_tree_sitter, blobs),
        ("eksguard hcl.py (parse + evaluate)", bench_eksguard, texts),
    ):
        best = min(func(data) for _ in range(args.runs))
        print(f"{name:40s} {best:7.3f} s   {best / len(files) * 1000:6.2f} ms/file")


if __name__ == "__main__":
    main()
