# Launch templates with a custom AMI that are not EKS nodes, or whose user data cannot
# be read: nothing says they join the cluster, so they are left alone.
resource "aws_eks_addon" "vpc_cni" {
  cluster_name = "shared-services"
  addon_name   = "vpc-cni"
  configuration_values = jsonencode({
    env = { ENABLE_PREFIX_DELEGATION = "true", WARM_PREFIX_TARGET = "1" }
  })
}

resource "aws_launch_template" "bastion" {
  name_prefix   = "bastion-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  user_data     = base64encode("#!/bin/bash\ndnf install -y amazon-ssm-agent\n")
}

resource "aws_launch_template" "templated" {
  name_prefix = "templated-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode(templatefile("${path.module}/user-data.tpl", { cluster = "shared-services" }))
}

resource "aws_launch_template" "pinned" {
  name_prefix = "pinned-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh shared-services --use-max-pods false --kubelet-extra-args '--max-pods=110'\n")
}
