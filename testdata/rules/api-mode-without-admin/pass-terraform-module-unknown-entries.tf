# A wrapper module passes its access entries through: they may well include an admin.
variable "access_entries" {
  type = any
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                = "platform-prod"
  authentication_mode = "API"
  access_entries      = var.access_entries
}
