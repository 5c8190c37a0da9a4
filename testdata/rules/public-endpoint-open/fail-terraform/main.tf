# a bare aws_eks_cluster: public endpoint open to 0.0.0.0/0 by default
resource "aws_eks_cluster" "raw" { # expect: EKS701
  name     = "raw"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

# the module is private by default; turning the public endpoint on keeps the 0.0.0.0/0 default
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                   = "platform"
  endpoint_public_access = true # expect: EKS701
  vpc_id                 = "vpc-0123456789abcdef0"
  subnet_ids             = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}
