resource "aws_eks_cluster" "raw" { # expect: EKS702
  name     = "raw"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

# v20: an empty cluster_encryption_config turns the module's encryption off
module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name              = "analytics"
  create_kms_key            = false
  cluster_encryption_config = {} # expect: EKS702
  vpc_id                    = "vpc-0123456789abcdef0"
  subnet_ids                = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}
