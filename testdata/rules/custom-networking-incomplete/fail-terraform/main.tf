resource "aws_eks_addon" "vpc_cni" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "vpc-cni"
  configuration_values = jsonencode({ # expect: EKS305
    env = {
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG = "true"
    }
  })
}
