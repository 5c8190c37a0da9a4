resource "aws_eks_addon" "pod_identity_agent" {
  cluster_name = "platform-prod"
  addon_name   = "eks-pod-identity-agent"
}

resource "aws_eks_addon" "ebs_csi" {  # expect: EKS204
  cluster_name  = "platform-prod"
  addon_name    = "aws-ebs-csi-driver"
  addon_version = "v1.35.0-eksbuild.1"
}
