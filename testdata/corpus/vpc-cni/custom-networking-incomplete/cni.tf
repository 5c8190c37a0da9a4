# Custom networking turned on through the managed add-on, but nothing tells the CNI
# which ENIConfig a node uses and no ENIConfig is managed here.
resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = "apps"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_update = "PRESERVE"
  configuration_values = jsonencode({
    env = {
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG = "true"
    }
  })
}
