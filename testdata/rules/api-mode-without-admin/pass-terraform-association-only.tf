# The admin policy is associated to a principal whose entry lives in another stack.
resource "aws_eks_cluster" "this" {
  name     = "platform-prod"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = var.private_subnet_ids
  }

  access_config {
    authentication_mode = "API"
  }
}

resource "aws_eks_access_policy_association" "break_glass" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = "arn:aws:iam::111122223333:role/break-glass-admin"
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  access_scope {
    type = "cluster"
  }
}
