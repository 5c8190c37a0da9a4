resource "kubectl_manifest" "mixed_pool" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: mixed
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
              values: ${jsonencode(var.capacity_types)}
      limits:
        cpu: 1000
  YAML
}

resource "kubectl_manifest" "on_demand_pool" {
  yaml_body = yamlencode({
    apiVersion = "karpenter.sh/v1"
    kind       = "NodePool"
    metadata   = { name = "on-demand" }
    spec = {
      template = { spec = { requirements = [
        { key = "karpenter.sh/capacity-type", operator = "In", values = ["on-demand", "spot"] },
      ] } }
      limits = { cpu = 100 }
    }
  })
}
