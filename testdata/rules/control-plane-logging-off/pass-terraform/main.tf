resource "aws_eks_cluster" "logged" {
  name                      = "logged"
  role_arn                  = "arn:aws:iam::111122223333:role/eks-cluster"
  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

# the module's default: audit, api, authenticator
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name       = "platform"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}

module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name              = "analytics"
  cluster_enabled_log_types = ["audit", "api", "authenticator", "scheduler"]
  vpc_id                    = "vpc-0123456789abcdef0"
  subnet_ids                = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}
