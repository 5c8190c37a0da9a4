module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform-prod"
  kubernetes_version = "1.33"
  vpc_id             = var.vpc_id
  subnet_ids         = var.subnet_ids

  addons = {
    vpc-cni = {
      before_compute = true
      configuration_values = jsonencode({
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
        }
      })
    }
  }

  eks_managed_node_groups = {
    # EKS AMI: EKS computes max pods. Exempt.
    general = {
      instance_types = ["m6i.large", "m6a.large"]
      min_size       = 2
      max_size       = 10
      desired_size   = 3
    }
    hardened = { # expect: EKS301
      ami_id                     = "ami-0123456789abcdef0"
      enable_bootstrap_user_data = true
      instance_types             = ["m6i.large"]
    }
  }

  self_managed_node_groups = {
    legacy = { # expect: EKS301
      instance_type = "m5.large"
      min_size      = 1
      max_size      = 4
    }
    pinned = {
      instance_type = "m5.large"
      cloudinit_pre_nodeadm = [{
        content_type = "application/node.eks.aws"
        content      = <<-EOT
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
