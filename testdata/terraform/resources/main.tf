locals {
  log_types = ["api", "audit", "authenticator"]
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  role_arn = aws_iam_role.cluster.arn
  version  = var.cluster_version

  access_config {
    authentication_mode = "API"
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    public_access_cidrs     = ["203.0.113.0/24"]
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }

  enabled_cluster_log_types = local.log_types

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.cluster]
}

resource "aws_kms_key" "eks" {
  description             = "EKS Secrets encryption"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}
