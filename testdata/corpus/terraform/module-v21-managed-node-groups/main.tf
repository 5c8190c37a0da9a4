# Managed and self-managed node groups through terraform-aws-eks v21, prefix delegation on.
locals {
  name = "ex-node-groups"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = local.name
  kubernetes_version = "1.34"

  endpoint_public_access       = true
  endpoint_public_access_cidrs = ["192.0.2.0/24"]

  addons = {
    coredns = {
      resolve_conflicts_on_update = "PRESERVE"
    }
    eks-pod-identity-agent = {
      before_compute              = true
      resolve_conflicts_on_update = "PRESERVE"
    }
    kube-proxy = {
      resolve_conflicts_on_update = "PRESERVE"
    }
    vpc-cni = {
      before_compute              = true
      resolve_conflicts_on_update = "PRESERVE"
      configuration_values = jsonencode({
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
        }
      })
    }
  }

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets

  eks_managed_node_groups = {
    # EKS AMI: EKS computes max pods itself, prefix delegation included
    default = {
      instance_types = ["m6i.large", "m5.large"]
      min_size       = 2
      max_size       = 5
      desired_size   = 2

      cloudinit_pre_nodeadm = [{
        content_type = "application/node.eks.aws"
        content      = <<-EOT
          ---
          apiVersion: node.eks.aws/v1alpha1
          kind: NodeConfig
          spec:
            kubelet:
              config:
                shutdownGracePeriod: 30s
        EOT
      }]
    }

    # Hardened custom AMI built from the AL2023 EKS AMI by the security team
    hardened = {
      ami_id                     = "ami-0a1b2c3d4e5f60718"
      ami_type                   = "AL2023_x86_64_STANDARD"
      enable_bootstrap_user_data = true
      instance_types             = ["c6i.2xlarge", "c6a.2xlarge"]
      min_size                   = 1
      max_size                   = 6
      desired_size               = 2

      cloudinit_pre_nodeadm = [{
        content_type = "application/node.eks.aws"
        content      = <<-EOT
          ---
          apiVersion: node.eks.aws/v1alpha1
          kind: NodeConfig
          spec:
            kubelet:
              config:
                maxPods: 110
        EOT
      }]
    }

    bottlerocket = {
      ami_type       = "BOTTLEROCKET_x86_64"
      instance_types = ["m6i.large"]
      min_size       = 1
      max_size       = 3
      desired_size   = 1
    }
  }

  self_managed_node_groups = {
    # Forgot max pods: nodeadm keeps the per-IP limit on these
    legacy-apps = {
      ami_type      = "AL2023_x86_64_STANDARD"
      instance_type = "m5.large"
      min_size      = 1
      max_size      = 4
    }
    batch = {
      ami_type      = "AL2023_x86_64_STANDARD"
      instance_type = "c5.xlarge"
      min_size      = 0
      max_size      = 10

      cloudinit_pre_nodeadm = [{
        content_type = "application/node.eks.aws"
        content      = <<-EOT
          ---
          apiVersion: node.eks.aws/v1alpha1
          kind: NodeConfig
          spec:
            kubelet:
              config:
                maxPods: 110
        EOT
      }]
    }
  }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name            = local.name
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  private_subnets = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
}
