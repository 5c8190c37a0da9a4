module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform-prod"
  kubernetes_version = "1.33"

  addons = {
    coredns = {} # expect: EKS501
    eks-pod-identity-agent = {
      before_compute              = true
      resolve_conflicts_on_update = "PRESERVE"
    }
    vpc-cni = {
      before_compute              = true
      resolve_conflicts_on_update = "overwrite" # expect: EKS501
    }
  }
}
