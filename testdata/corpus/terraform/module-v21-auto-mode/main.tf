# Shape of the terraform-aws-eks v21 "eks-auto-mode" example.
locals {
  name = "ex-auto-mode"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = local.name
  kubernetes_version = "1.35"

  endpoint_public_access                   = true
  endpoint_public_access_cidrs             = ["203.0.113.0/24"]
  enable_cluster_creator_admin_permissions = true

  compute_config = {
    enabled    = true
    node_pools = ["general-purpose"]
  }

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets
}

resource "aws_iam_role" "app" {
  name = "${local.name}-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_eks_pod_identity_association" "app" {
  cluster_name    = module.eks.cluster_name
  namespace       = "default"
  service_account = "app"
  role_arn        = aws_iam_role.app.arn
}

# Auto Mode's own load balancing: its IngressClass uses the eks.amazonaws.com/alb controller.
resource "kubectl_manifest" "ingress_class_params" {
  yaml_body = <<-YAML
    apiVersion: eks.amazonaws.com/v1
    kind: IngressClassParams
    metadata:
      name: alb
    spec:
      scheme: internet-facing
  YAML
}

resource "kubectl_manifest" "ingress_class" {
  yaml_body = <<-YAML
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata:
      name: alb
      annotations:
        ingressclass.kubernetes.io/is-default-class: "true"
    spec:
      controller: eks.amazonaws.com/alb
      parameters:
        apiGroup: eks.amazonaws.com
        kind: IngressClassParams
        name: alb
  YAML
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name            = local.name
  cidr            = "10.0.0.0/16"
  azs             = ["us-west-2a", "us-west-2b", "us-west-2c"]
  private_subnets = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
}
