resource "aws_iam_role" "reporting" {
  name = "reporting"
  assume_role_policy = jsonencode({  # expect: EKS205
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = "sts:*"
      },
      {
        Effect    = "Deny"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = "sts:TagSession"
      },
    ]
  })
}

resource "aws_eks_pod_identity_association" "reporting" {
  cluster_name    = "platform-prod"
  namespace       = "analytics"
  service_account = "reporting"
  role_arn        = "arn:aws:iam::111122223333:role/reporting"
}
