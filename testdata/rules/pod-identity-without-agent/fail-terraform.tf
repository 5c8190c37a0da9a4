resource "aws_eks_cluster" "this" {  # expect: EKS202
  name     = "platform-prod"
  role_arn = aws_iam_role.cluster.arn
  vpc_config {
    subnet_ids = var.private_subnet_ids
  }
  access_config {
    authentication_mode = "API_AND_CONFIG_MAP"
  }
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "vpc-cni"
}

resource "aws_eks_addon" "coredns" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "coredns"
}

resource "aws_eks_pod_identity_association" "checkout" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = "payments"
  service_account = "checkout-sa"
  role_arn        = aws_iam_role.checkout.arn
}
