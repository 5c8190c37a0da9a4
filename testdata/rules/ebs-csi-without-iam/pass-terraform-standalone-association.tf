resource "aws_eks_addon" "pod_identity_agent" {
  cluster_name = "platform-prod"
  addon_name   = "eks-pod-identity-agent"
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name = "platform-prod"
  addon_name   = "aws-ebs-csi-driver"
}

resource "aws_eks_pod_identity_association" "ebs_csi" {
  cluster_name    = "platform-prod"
  namespace       = "kube-system"
  service_account = "ebs-csi-controller-sa"
  role_arn        = aws_iam_role.ebs_csi.arn
}
