# Karpenter pools applied with the kubectl provider.
resource "kubectl_manifest" "spot_pool" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: spot
    spec:
      template:
        spec:
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
          requirements:
            - key: karpenter.sh/capacity-type
              operator: In
              values: ["spot", "on-demand"]  # cheap
            - key: karpenter.k8s.aws/instance-category
              operator: In
              values: ["c", "m", "r"]
      limits:
        cpu: 1000
  YAML
}
