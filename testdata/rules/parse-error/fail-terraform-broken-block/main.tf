# A missing "}" in the cluster block: error recovery would drop access_config,
# encryption_config and the log types, and rules would judge defaults (EKS101 CONFIG_MAP,
# EKS702 no encryption, EKS703 no logs) the author never chose. The block is not judged;
# the add-on after it still is.
resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = aws_iam_role.cluster.arn
  version  = "1.34"
  tags = { team = "platform"
  enabled_cluster_log_types = ["api", "audit", "authenticator"]
  encryption_config {  # expect: EKS001
    provider { key_arn = aws_kms_key.eks.arn }
    resources = ["secrets"]
  }
  access_config {
    authentication_mode = "API"
  }
  vpc_config {
    subnet_ids              = var.subnets
    endpoint_public_access  = false
    endpoint_private_access = true
  }
}
