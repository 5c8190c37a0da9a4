# terraform-aws-modules/eks v20's aws-auth submodule writes kube-system/aws-auth
# (manage_aws_auth_configmap defaults to true). Found in the corpus review.
module "aws_auth" { # expect: EKS102
  source  = "terraform-aws-modules/eks/aws//modules/aws-auth"
  version = "~> 20.0"

  aws_auth_roles = [
    {
      rolearn  = "arn:aws:iam::111122223333:role/platform-admins"
      username = "platform-admin"
      groups   = ["system:masters"]
    },
  ]
  aws_auth_users = var.extra_users
}

module "aws_auth_git" { # expect: EKS102
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git//modules/aws-auth?ref=v20.37.2"

  manage_aws_auth_configmap = false
  create_aws_auth_configmap = true
  aws_auth_roles            = [{ rolearn = module.nodes.iam_role_arn, username = "system:node:{{EC2PrivateDNSName}}", groups = ["system:bootstrappers", "system:nodes"] }]
}

variable "extra_users" {
  type = list(any)
}
