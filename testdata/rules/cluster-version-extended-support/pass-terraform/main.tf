resource "aws_eks_cluster" "current" {
  name     = "current"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"
  version  = "1.35"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

# the version comes from a variable without a literal default: unknown, stay quiet
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform"
  kubernetes_version = var.kubernetes_version
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}

variable "kubernetes_version" {
  type = string
}

# no version: EKS picks its newest at creation
resource "aws_eks_cluster" "lab" {
  name     = "lab"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}
