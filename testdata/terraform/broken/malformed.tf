resource "aws_eks_addon" "coredns" {
  cluster_name                = "platform-prod"
  addon_name                  = "coredns"
  resolve_conflicts_on_update = "OVERWRITE"
}

resource "aws_eks_addon" "kube_proxy" {
  cluster_name = "platform-prod"
  addon_name   = "kube-proxy"
  addon_version = "v1.31.3-eksbuild.2
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = "platform-prod"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_update = "OVERWRITE"
}
