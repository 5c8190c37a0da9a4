module "eks" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v21.3.1"

  name               = var.name
  kubernetes_version = "1.33"

  endpoint_public_access       = true
  endpoint_public_access_cidrs = var.admin_cidrs

  encryption_config = null
  enabled_log_types = ["api", "audit"]

  authentication_mode = "API"

  addons = {
    coredns = {}
    eks-pod-identity-agent = {
      before_compute = true
    }
    kube-proxy = {}
    vpc-cni = {
      before_compute              = true
      resolve_conflicts_on_update = var.addon_conflicts
    }
    aws-ebs-csi-driver = {
      pod_identity_association = [{
        role_arn        = aws_iam_role.ebs_csi.arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }

  compute_config = {
    enabled    = true
    node_pools = ["general-purpose"]
  }

  self_managed_node_groups = {
    legacy = {
      ami_id               = "ami-0123456789abcdef0"
      instance_type        = "c5.4xlarge"
      bootstrap_extra_args = "--kubelet-extra-args '--max-pods=${var.max_pods}'"
    }
  }

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids
}

variable "name" {
  type    = string
  default = "ex-eks-v21"
}

variable "admin_cidrs" {
  type = list(string)
}

variable "addon_conflicts" {
  description = "No default: the value comes from the environment's tfvars"
  type        = string
}

variable "max_pods" {
  type = number
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}
