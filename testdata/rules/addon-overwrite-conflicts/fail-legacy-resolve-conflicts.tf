# AWS provider v4 style: the deprecated argument applied to create and update alike.
resource "aws_eks_addon" "coredns" {
  cluster_name      = "platform-prod"
  addon_name        = "coredns"
  addon_version     = "v1.11.4-eksbuild.2"
  resolve_conflicts = "OVERWRITE" # expect: EKS501
}
