# NodePools applied with the hashicorp/kubernetes provider: kubernetes_manifest takes an
# HCL object, so YAML is passed through yamldecode() (or JSON through jsondecode()).
resource "kubernetes_manifest" "general" {
  manifest = yamldecode(<<-EOT
    apiVersion: karpenter.sh/v1
    kind: NodePool  # expect: EKS401
    metadata:
      name: general
    spec:
      template:
        spec:
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
  EOT
  )
}

resource "kubernetes_manifest" "batch" {
  manifest = jsondecode("{\"apiVersion\": \"karpenter.sh/v1\", \"kind\": \"NodePool\", \"metadata\": {\"name\": \"batch\"}, \"spec\": {\"template\": {\"spec\": {\"nodeClassRef\": {\"name\": \"default\"}}}}}")  # expect: EKS401
}
