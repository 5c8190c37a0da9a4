resource "aws_eks_cluster" "private" {
  name     = "private"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

resource "aws_eks_cluster" "allowlisted" {
  name     = "allowlisted"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
    endpoint_private_access = true
    public_access_cidrs     = ["203.0.113.0/24"]
  }
}

# the module's default: private endpoint only
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name       = "platform"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}

# v20 spelling, public with an allowlist
module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name                         = "analytics"
  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = ["198.51.100.0/24"]
  vpc_id                               = "vpc-0123456789abcdef0"
  subnet_ids                           = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}

# the allowlist comes from a variable: unknown, stay quiet
resource "aws_eks_cluster" "from_var" {
  name     = "from-var"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids          = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
    public_access_cidrs = var.api_allowlist
  }
}

variable "api_allowlist" {
  type = list(string)
}
