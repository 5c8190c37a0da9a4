# An access_config block without bootstrap_cluster_creator_admin_permissions sends false
# (the provider copies Go's zero value), so the creator gets no admin entry either.
resource "aws_eks_cluster" "this" {
  name     = "platform-prod"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = var.private_subnet_ids
  }

  access_config {
    authentication_mode = "API"  # expect: EKS103
  }
}

resource "aws_eks_access_entry" "viewers" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = "arn:aws:iam::111122223333:role/viewers"
}

resource "aws_eks_access_policy_association" "viewers" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.viewers.principal_arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
  access_scope {
    type = "cluster"
  }
}
