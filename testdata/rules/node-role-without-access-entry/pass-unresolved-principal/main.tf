# The node entry's principal is a reference: it may well be the Karpenter role.
resource "aws_eks_access_entry" "admins" {
  cluster_name  = "platform-prod"
  principal_arn = "arn:aws:iam::111122223333:role/platform-admins"
}

resource "aws_eks_access_entry" "karpenter_node" {
  cluster_name  = "platform-prod"
  principal_arn = aws_iam_role.karpenter_node.arn
  type          = "EC2_LINUX"
}
