# The policy comes from a variable: it may well be the admin policy.
variable "admin_policy_arn" {
  type = string
}

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

resource "aws_eks_access_entry" "admins" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = "arn:aws:iam::111122223333:role/admins"
}

resource "aws_eks_access_policy_association" "admins" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admins.principal_arn
  policy_arn    = var.admin_policy_arn
  access_scope {
    type = "cluster"
  }
}
