# yamldecode() of a NodePool with limits, and of a file this scan cannot read: quiet.
resource "kubernetes_manifest" "general" {
  manifest = yamldecode(<<-EOT
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: general
    spec:
      template:
        spec:
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
      limits:
        cpu: "1000"
  EOT
  )
}

resource "kubernetes_manifest" "from_file" {
  manifest = yamldecode(file("${path.module}/nodepool.yaml"))
}
