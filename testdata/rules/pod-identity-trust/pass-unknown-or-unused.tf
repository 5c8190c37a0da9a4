# A trust policy from a variable cannot be judged; a role no association uses is not this rule.
variable "trust_policy" {
  type = string
}

resource "aws_iam_role" "checkout" {
  name               = "checkout-app"
  assume_role_policy = var.trust_policy
}

resource "aws_iam_role" "batch" {
  name = "batch-runner"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_eks_pod_identity_association" "checkout" {
  cluster_name    = "platform-prod"
  namespace       = "payments"
  service_account = "checkout-sa"
  role_arn        = "arn:aws:iam::111122223333:role/checkout-app"
}
