# OVERWRITE on create only adopts self-managed add-ons once; updates keep your changes.
resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = "platform-prod"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"
}

resource "aws_eks_addon" "kube_proxy" {
  cluster_name                = "platform-prod"
  addon_name                  = "kube-proxy"
  resolve_conflicts_on_create = "OVERWRITE"
}
