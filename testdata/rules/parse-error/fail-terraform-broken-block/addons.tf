resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = "prod"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_update = "OVERWRITE"  # expect: EKS501
}

resource "aws_eks_addon" "coredns" {
  cluster_name = "prod"
  addon_name   = "coredns" "extra"  # expect: EKS001
  resolve_conflicts_on_update = "OVERWRITE"
}
