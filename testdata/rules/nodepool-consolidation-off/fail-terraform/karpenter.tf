resource "kubectl_manifest" "general" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: general
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      limits:
        cpu: 1000
      disruption:
        consolidationPolicy: WhenEmpty  # expect: EKS402
        consolidateAfter: 30s
  YAML
}

resource "kubernetes_manifest" "frozen" {
  manifest = {
    apiVersion = "karpenter.sh/v1"
    kind       = "NodePool"
    metadata   = { name = "frozen" }
    spec = {
      template = { spec = { nodeClassRef = { group = "karpenter.k8s.aws", kind = "EC2NodeClass", name = "default" } } }
      limits   = { cpu = "200" }
      disruption = {
        consolidateAfter = "Never"  # expect: EKS402
      }
    }
  }
}
