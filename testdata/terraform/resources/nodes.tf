data "aws_ssm_parameter" "eks_ami" {
  name = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id"
}

resource "aws_launch_template" "workers" {
  name_prefix   = "workers-"
  image_id      = data.aws_ssm_parameter.eks_ami.value
  instance_type = "m6i.2xlarge"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  user_data = base64encode(<<-EOT
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="BOUNDARY"

    --BOUNDARY
    Content-Type: application/node.eks.aws

    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      cluster:
        name: ${var.cluster_name}
      kubelet:
        config:
          maxPods: 110

    --BOUNDARY--
  EOT
  )
}

resource "aws_eks_node_group" "workers" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "workers"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  capacity_type   = "SPOT"

  scaling_config {
    desired_size = 3
    max_size     = 12
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.workers.id
    version = aws_launch_template.workers.latest_version
  }
}

resource "aws_eks_node_group" "system" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "system"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  ami_type        = "AL2023_x86_64_STANDARD"

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 2
  }
}

resource "aws_launch_template" "legacy" {
  name_prefix = "legacy-"
  image_id    = "ami-0123456789abcdef0"

  user_data = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh platform-prod --use-max-pods false --kubelet-extra-args '--max-pods=58'\n")
}
