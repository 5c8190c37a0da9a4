resource "aws_eks_cluster" "this" {
  name     = "platform-prod"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
    endpoint_public_access  = false // eksguard: ignore[EKS701] the endpoint is private
    endpoint_private_access = true
  }
}
