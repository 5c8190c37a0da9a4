# A variable without a literal default: nothing to judge.
variable "authentication_mode" {
  type = string
}

resource "aws_eks_cluster" "this" {
  name     = "platform-prod"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = var.private_subnet_ids
  }

  access_config {
    authentication_mode = var.authentication_mode
  }
}
