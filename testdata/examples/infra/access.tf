# Team access: one access entry per team role, edit rights in the team's namespaces only.
locals {
  teams = {
    payments   = ["payments"]
    search     = ["search"]
    ledger     = ["ledger"]
    storefront = ["storefront"]
  }
}

resource "aws_eks_access_entry" "team" {
  for_each = local.teams

  cluster_name  = module.eks.cluster_name
  principal_arn = "arn:aws:iam::111122223333:role/team-${each.key}"
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "team_edit" {
  for_each = local.teams

  cluster_name  = module.eks.cluster_name
  principal_arn = aws_eks_access_entry.team[each.key].principal_arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = each.value
  }
}

# On-call SREs read everything, cluster-scoped objects included.
resource "aws_eks_access_entry" "sre_oncall" {
  cluster_name  = module.eks.cluster_name
  principal_arn = "arn:aws:iam::111122223333:role/sre-oncall"
}

resource "aws_eks_access_policy_association" "sre_oncall" {
  cluster_name  = module.eks.cluster_name
  principal_arn = aws_eks_access_entry.sre_oncall.principal_arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"

  access_scope {
    type = "cluster"
  }
}
