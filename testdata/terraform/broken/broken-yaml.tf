resource "kubectl_manifest" "node_class" {
  yaml_body = <<-YAML
    apiVersion: karpenter.k8s.aws/v1
    kind: EC2NodeClass
    metadata:
      name: default
    spec:
      role: "KarpenterNodeRole-platform-prod"
      amiSelectorTerms:
        - alias: al2023@latest
       subnetSelectorTerms:
        - tags:
            karpenter.sh/discovery: platform-prod
  YAML
}
