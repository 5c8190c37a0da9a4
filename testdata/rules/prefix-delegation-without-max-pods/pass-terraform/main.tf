resource "aws_eks_addon" "vpc_cni" {
  cluster_name         = aws_eks_cluster.this.name
  addon_name           = "vpc-cni"
  configuration_values = jsonencode({ env = { ENABLE_PREFIX_DELEGATION = "true" } })
}

# Custom AMI with max pods pinned in the NodeConfig.
resource "aws_launch_template" "hardened" {
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
      kubelet:
        config:
          maxPods: 110
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
    version = "$Latest"
  }
}

# A launch template without an AMI: EKS still computes max pods.
resource "aws_launch_template" "tags_only" {
  name_prefix = "tags-only-"
  tag_specifications {
    resource_type = "instance"
    tags          = { team = "platform" }
  }
}

resource "aws_eks_node_group" "tagged" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "tagged"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids

  scaling_config {
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }

  launch_template {
    name    = aws_launch_template.tags_only.name
    version = "$Latest"
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "platform-prod"
  cluster_version = "1.31"

  eks_managed_node_groups = {
    general = { instance_types = ["m6i.large"] }
  }

  self_managed_node_groups = {
    legacy = {
      instance_type        = "m5.large"
      bootstrap_extra_args = "--use-max-pods false --kubelet-extra-args '--max-pods=110'"
    }
  }
}
