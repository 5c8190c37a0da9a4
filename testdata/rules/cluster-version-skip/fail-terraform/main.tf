# At REF (diff-base/main.tf): legacy 1.31, platform 1.31 (a variable default), analytics 1.32.
resource "aws_eks_cluster" "legacy" {
  name     = "legacy"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"
  version  = "1.34" # expect: EKS504

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform"
  kubernetes_version = var.kubernetes_version # expect: EKS504
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}

variable "kubernetes_version" {
  type    = string
  default = "1.33" # the finding is on the input that reads it
}

module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name    = "analytics"
  cluster_version = "1.33" # one minor: fine
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
}
