resource "aws_eks_addon" "coredns" {
  cluster_name                = "platform-prod"
  addon_name                  = "coredns"
  resolve_conflicts_on_update = "PRESERVE"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name = "platform-prod"

  addons = {
    coredns = {
      resolve_conflicts_on_update = "PRESERVE"
    }
  }
}
