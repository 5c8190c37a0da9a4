resource "kubectl_manifest" "karpenter_node_pool" {
  yaml_body = <<-YAML
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: default
    spec:
      template:
        spec:
          nodeClassRef:
            group: karpenter.k8s.aws
            kind: EC2NodeClass
            name: default
          requirements:
            - key: karpenter.k8s.aws/instance-category
              operator: In
              values: ["c", "m", "r"]
      limits:
        cpu: 1000
      disruption:
        consolidationPolicy: WhenEmptyOrUnderutilized
        consolidateAfter: 1m
  YAML
}

resource "kubectl_manifest" "ingress_class_params" {
  yaml_body = <<YAML
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata:
  name: shared
spec:
  group:
    name: ${local.group_name}
YAML
}

resource "kubernetes_manifest" "ingress_class" {
  manifest = {
    apiVersion = "networking.k8s.io/v1"
    kind       = "IngressClass"
    metadata = {
      name = "shared-alb"
    }
    spec = {
      controller = "ingress.k8s.aws/alb"
      parameters = {
        apiGroup = "elbv2.k8s.aws"
        kind     = "IngressClassParams"
        name     = "shared"
      }
    }
  }
}

locals {
  group_name = "shop-shared"
}
