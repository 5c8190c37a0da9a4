# The cluster is defined in another stack; its add-ons and associations are here.
resource "aws_eks_addon" "coredns" {
  cluster_name = "platform-prod"
  addon_name   = "coredns"
}

resource "aws_eks_pod_identity_association" "checkout" {  # expect: EKS202
  cluster_name    = "platform-prod"
  namespace       = "payments"
  service_account = "checkout-sa"
  role_arn        = "arn:aws:iam::111122223333:role/checkout-app"
}
