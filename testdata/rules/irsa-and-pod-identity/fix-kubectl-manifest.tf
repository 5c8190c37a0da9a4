resource "kubectl_manifest" "karpenter_sa" {
  yaml_body = <<-YAML
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: karpenter
      namespace: kube-system
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/KarpenterController
  YAML
}

resource "aws_eks_pod_identity_association" "karpenter" {
  cluster_name    = "platform-prod"
  namespace       = "kube-system"
  service_account = "karpenter"
  role_arn        = "arn:aws:iam::111122223333:role/KarpenterController"
}
