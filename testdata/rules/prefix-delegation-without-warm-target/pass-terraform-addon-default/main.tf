module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform-prod"
  kubernetes_version = "1.33"

  addons = {
    vpc-cni = {
      before_compute       = true
      configuration_values = jsonencode({ env = { ENABLE_PREFIX_DELEGATION = "true" } })
    }
  }
}

resource "helm_release" "vpc_cni" {
  name       = "aws-vpc-cni"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-vpc-cni"
  namespace  = "kube-system"

  set {
    name  = "env.ENABLE_PREFIX_DELEGATION"
    value = "true"
  }
}
