resource "aws_iam_role" "checkout" {
  name = "checkout-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["pods.eks.amazonaws.com"] }
      Action    = "sts:*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = "111122223333" }
      }
    }]
  })
}

data "aws_iam_policy_document" "pod_identity" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "reporting" {
  name               = "reporting"
  assume_role_policy = data.aws_iam_policy_document.pod_identity.json
}

resource "aws_eks_pod_identity_association" "checkout" {
  cluster_name    = "platform-prod"
  namespace       = "payments"
  service_account = "checkout-sa"
  role_arn        = "arn:aws:iam::111122223333:role/checkout-app"
}

resource "aws_eks_pod_identity_association" "reporting" {
  cluster_name    = "platform-prod"
  namespace       = "analytics"
  service_account = "reporting"
  role_arn        = "arn:aws:iam::111122223333:role/reporting"
}
