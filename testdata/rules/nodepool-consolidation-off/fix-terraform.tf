resource "kubectl_manifest" "nodepool_general_purpose" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: general-purpose
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      limits:
        cpu: 1000
      disruption:
        consolidationPolicy: WhenEmpty  # cautious
        consolidateAfter: 30s
  YAML
}
