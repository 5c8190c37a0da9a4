resource "aws_eks_addon" "vpc_cni" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "vpc-cni"
  configuration_values = jsonencode({
    env = {
      ENABLE_PREFIX_DELEGATION = "true"
      WARM_PREFIX_TARGET       = "1"
    }
  })
}

# A hardened AMI: EKS no longer computes max pods, and this NodeConfig sets none.
resource "aws_launch_template" "hardened" { # expect: EKS301
  name_prefix = "hardened-"
  image_id    = "ami-0123456789abcdef0"

  user_data = base64encode(<<-EOT
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="BOUNDARY"

    --BOUNDARY
    Content-Type: application/node.eks.aws

    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      cluster:
        name: platform-prod
    --BOUNDARY--
  EOT
  )
}

resource "aws_eks_node_group" "hardened" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "hardened"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  instance_types  = ["m6i.large"]

  scaling_config {
    desired_size = 2
    max_size     = 6
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.hardened.id
    version = aws_launch_template.hardened.latest_version
  }
}

# EKS AMI, no launch template: EKS computes max pods. Exempt.
resource "aws_eks_node_group" "system" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "system"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  ami_type        = "AL2023_x86_64_STANDARD"
  instance_types  = ["m6i.large"]

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 2
  }
}

# A launch template no node group here uses (a bastion, or an ASG elsewhere): not judged.
resource "aws_launch_template" "bastion" {
  name_prefix   = "bastion-"
  image_id      = "ami-0fedcba9876543210"
  instance_type = "t3.micro"
}
