# A launch template no node group in scope uses, with a custom AMI and user data that
# joins the cluster (nodeadm NodeConfig): self-managed nodes (an Auto Scaling group),
# so nothing computes max pods for them. Found in the corpus review.
resource "aws_eks_addon" "vpc_cni" {
  cluster_name = "shared-services"
  addon_name   = "vpc-cni"
  configuration_values = jsonencode({
    env = { ENABLE_PREFIX_DELEGATION = "true", WARM_PREFIX_TARGET = "1" }
  })
}

resource "aws_launch_template" "gpu" { # expect: EKS301
  name_prefix   = "gpu-"
  image_id      = "ami-0fedcba9876543210"
  instance_type = "g5.xlarge"

  user_data = base64encode(<<-EOT
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="//"

    --//
    Content-Type: application/node.eks.aws

    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      cluster:
        name: shared-services

    --//--
  EOT
  )
}

# AL2: bootstrap.sh without --max-pods keeps eni-max-pods.txt's per-IP figure.
resource "aws_launch_template" "al2" { # expect: EKS301
  name_prefix = "al2-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh shared-services --kubelet-extra-args '--node-labels=tier=legacy'\n")
}

resource "aws_autoscaling_group" "gpu" {
  min_size            = 0
  max_size            = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60718"]

  launch_template {
    id      = aws_launch_template.gpu.id
    version = "$Latest"
  }
}
