# terraform-aws-modules/eks defaults authentication_mode to API_AND_CONFIG_MAP.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform-prod"
  kubernetes_version = "1.33"
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0a1", "subnet-0b2"]
}
