# The role kept its IRSA trust policy when it was wired to Pod Identity.
data "aws_iam_policy_document" "irsa_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub"
      values   = ["system:serviceaccount:kube-system:ebs-csi-controller-sa"]
    }
  }
}

resource "aws_iam_role" "ebs_csi" {
  name               = "ebs-csi-controller"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust.json  # expect: EKS205
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name = "platform-prod"
  addon_name   = "aws-ebs-csi-driver"
  pod_identity_association {
    service_account = "ebs-csi-controller-sa"
    role_arn        = "arn:aws:iam::111122223333:role/ebs-csi-controller"
  }
}

resource "aws_eks_addon" "pod_identity_agent" {
  cluster_name = "platform-prod"
  addon_name   = "eks-pod-identity-agent"
}
