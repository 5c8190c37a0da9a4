resource "aws_iam_role" "checkout" {
  name = "checkout-app"
  assume_role_policy = jsonencode({  # expect: EKS205
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_eks_pod_identity_association" "checkout" {
  cluster_name    = "platform-prod"
  namespace       = "payments"
  service_account = "checkout-sa"
  role_arn        = "arn:aws:iam::111122223333:role/checkout-app"
}
