# v20 cluster still on aws-auth through the module's aws-auth submodule.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.37.2"

  cluster_name    = "legacy"
  cluster_version = "1.32"

  authentication_mode = "CONFIG_MAP"

  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = ["198.51.100.10/32"]
  cluster_enabled_log_types            = ["api", "audit", "authenticator", "scheduler"]

  # v20 turned envelope encryption off with an empty map
  cluster_encryption_config = {}

  cluster_addons = {
    coredns = {
      most_recent                 = true
      resolve_conflicts_on_update = "PRESERVE"
    }
    kube-proxy = {
      most_recent                 = true
      resolve_conflicts_on_update = "PRESERVE"
    }
    vpc-cni = {
      most_recent                 = true
      resolve_conflicts_on_update = "PRESERVE"
    }
  }

  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]

  eks_managed_node_group_defaults = {
    instance_types = ["m6i.large", "m5.large"]
  }

  eks_managed_node_groups = {
    default = {
      min_size     = 2
      max_size     = 6
      desired_size = 3
    }
  }
}

module "aws_auth" {
  source  = "terraform-aws-modules/eks/aws//modules/aws-auth"
  version = "~> 20.0"

  manage_aws_auth_configmap = true

  aws_auth_roles = [
    {
      rolearn  = "arn:aws:iam::111122223333:role/platform-admins"
      username = "platform-admin"
      groups   = ["system:masters"]
    },
  ]

  aws_auth_users = [
    {
      userarn  = "arn:aws:iam::111122223333:user/deployer"
      username = "deployer"
      groups   = ["deployers"]
    },
  ]
}
