# The aws-auth submodule writes nothing when both switches are off, or when it is
# disabled with create = false.
module "aws_auth_off" {
  source  = "terraform-aws-modules/eks/aws//modules/aws-auth"
  version = "~> 20.0"

  manage_aws_auth_configmap = false
  aws_auth_roles            = [{ rolearn = "arn:aws:iam::111122223333:role/a", username = "a", groups = ["g"] }]
}

module "aws_auth_disabled" {
  source = "terraform-aws-modules/eks/aws//modules/aws-auth"

  create         = false
  aws_auth_roles = [{ rolearn = "arn:aws:iam::111122223333:role/a", username = "a", groups = ["g"] }]
}

module "aws_auth_maybe" {
  source = "terraform-aws-modules/eks/aws//modules/aws-auth"

  manage_aws_auth_configmap = var.manage_aws_auth
}

variable "manage_aws_auth" {
  type = bool
}
