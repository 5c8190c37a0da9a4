# The role comes from another module's output: unknown here, but it is set.
resource "aws_eks_addon" "ebs_csi" {
  cluster_name             = "platform-prod"
  addon_name               = "aws-ebs-csi-driver"
  service_account_role_arn = module.ebs_csi_irsa.iam_role_arn
}
