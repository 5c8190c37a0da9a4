# The value comes from tfvars or the CLI: unknown statically, so the rule stays quiet.
variable "conflicts" {
  type = string
}

resource "aws_eks_addon" "coredns" {
  cluster_name                = "platform-prod"
  addon_name                  = "coredns"
  resolve_conflicts_on_update = var.conflicts
}

module "eks" {
  source = "terraform-aws-modules/eks/aws"

  name   = "platform-prod"
  addons = var.addons
}

variable "addons" {
  type = any
}
