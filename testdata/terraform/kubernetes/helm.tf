resource "helm_release" "lbc" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  namespace  = "kube-system"
  version    = "1.13.0"

  values = [
    <<-EOT
    clusterName: ${var.cluster_name}
    replicaCount: 2
    serviceAccount:
      name: aws-load-balancer-controller
    EOT
    ,
    yamlencode({
      replicaCount = 3
      defaultTargetType = "ip"
    })
  ]

  set {
    name  = "vpcId"
    value = var.vpc_id
  }

  set {
    name  = "region"
    value = "eu-west-1"
  }
}

resource "helm_release" "karpenter" {
  name       = "karpenter"
  repository = "oci://public.ecr.aws/karpenter"
  chart      = "karpenter"
  version    = "1.6.0"
  namespace  = "kube-system"

  set = [
    { name = "settings.clusterName", value = "platform-prod" },
    { name = "replicas", value = "2" },
  ]
}

variable "cluster_name" {
  type = string
}

variable "vpc_id" {
  type = string
}
