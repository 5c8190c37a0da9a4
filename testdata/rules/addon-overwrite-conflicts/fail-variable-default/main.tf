resource "aws_eks_addon" "this" {
  for_each = toset(["coredns", "kube-proxy"])

  cluster_name                = var.cluster_name
  addon_name                  = each.value
  resolve_conflicts_on_update = var.resolve_conflicts_on_update # expect: EKS501
}
