resource "kubectl_manifest" "runners" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: ${var.node_pool_name}
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
          requirements:
            - key: "node.kubernetes.io/instance-type"
              operator: In
              values: ["t3.medium"]  # expect: EKS403
      limits:
        cpu: ${var.max_runners * 2}
  YAML
}
