# The add-on map comes from a variable: the agent may be in it.
variable "addons" {
  type = any
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name   = "platform-prod"
  addons = var.addons
}

resource "aws_eks_addon" "ebs" {
  cluster_name = module.eks.cluster_name
  addon_name   = "aws-ebs-csi-driver"
  pod_identity_association {
    service_account = "ebs-csi-controller-sa"
    role_arn        = "arn:aws:iam::111122223333:role/ebs-csi"
  }
}
