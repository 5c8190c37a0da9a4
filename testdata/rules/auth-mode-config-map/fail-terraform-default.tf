# No access_config block: the EKS API default (CONFIG_MAP) applies, reported at the resource.
resource "aws_eks_cluster" "this" {  # expect: EKS101
  name     = "platform-prod"
  role_arn = aws_iam_role.cluster.arn
  version  = "1.31"

  vpc_config {
    subnet_ids = var.private_subnet_ids
  }
}
