# The cluster: terraform-aws-modules/eks v21 (inputs without the cluster_ prefix).
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.3"

  name               = var.cluster_name
  kubernetes_version = "1.35"

  # kubectl from the office and the VPN; nodes and CI runners use the private endpoint.
  endpoint_public_access       = true
  endpoint_private_access      = true
  endpoint_public_access_cidrs = var.office_cidrs

  # Cost review: "authenticator logs are noisy". They are also the only record of which
  # IAM principal became which Kubernetes user (EKS703).
  enabled_log_types = ["api", "audit"]

  # Access entries only; aws-auth is no longer read.
  authentication_mode = "API"
  access_entries = {
    platform-admins = {
      principal_arn = var.platform_admins_role_arn
      policy_associations = {
        cluster-admin = {
          policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = {
            type = "cluster"
          }
        }
      }
    }
  }

  addons = {
    coredns = {
      resolve_conflicts_on_update = "PRESERVE"
      configuration_values = jsonencode({
        replicaCount = 3
        tolerations  = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
      })
    }
    kube-proxy = {
      resolve_conflicts_on_update = "PRESERVE"
    }
    eks-pod-identity-agent = {
      before_compute              = true
      resolve_conflicts_on_update = "PRESERVE"
    }
    vpc-cni = {
      before_compute              = true
      resolve_conflicts_on_update = "PRESERVE"
      pod_identity_association = [{
        role_arn        = aws_iam_role.vpc_cni.arn
        service_account = "aws-node"
      }]
      configuration_values = jsonencode({
        env = {
          # /28 prefixes per ENI: node max pods must be raised to match (EC2NodeClass kubelet.maxPods)
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
          # security groups for pods (payments' SecurityGroupPolicy)
          ENABLE_POD_ENI = "true"
        }
      })
    }
    aws-ebs-csi-driver = {
      resolve_conflicts_on_update = "PRESERVE"
      pod_identity_association = [{
        role_arn        = aws_iam_role.ebs_csi.arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }

  # Karpenter and the other controllers run here; everything else on Karpenter nodes.
  # Managed node group on the EKS AMI: EKS computes max pods for it.
  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_ARM_64_STANDARD"
      instance_types = ["m7g.large", "m6g.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 3
      labels = {
        "node-role/system" = "true"
      }
      taints = {
        critical = {
          key    = "CriticalAddonsOnly"
          value  = "true"
          effect = "NO_SCHEDULE"
        }
      }
    }
  }

  node_security_group_tags = {
    "karpenter.sh/discovery" = var.cluster_name
  }

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids

  tags = {
    Environment = "prod"
    Team        = "platform"
  }
}
