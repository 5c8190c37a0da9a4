resource "aws_eks_cluster" "raw" { # expect: EKS703
  name     = "raw"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name              = "platform"
  enabled_log_types = ["api"] # expect: EKS703
  vpc_id            = "vpc-0123456789abcdef0"
  subnet_ids        = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}
