module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name                             = "platform-prod"
  cluster_version                          = "1.31"
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
}
