resource "aws_eks_addon" "vpc_cni" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "vpc-cni"
}

resource "kubernetes_manifest" "checkout_sgp" {
  manifest = {
    apiVersion = "vpcresources.k8s.aws/v1beta1"
    kind       = "SecurityGroupPolicy" # expect: EKS304
    metadata = {
      name      = "checkout-db-access"
      namespace = "payments"
    }
    spec = {
      podSelector    = { matchLabels = { app = "checkout" } }
      securityGroups = { groupIds = ["sg-0a1b2c3d4e5f67890"] }
    }
  }
}
