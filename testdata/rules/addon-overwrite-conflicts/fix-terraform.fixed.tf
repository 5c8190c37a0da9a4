# Add-ons managed by Terraform: updates must not reset what the cluster customised.
resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_create = "OVERWRITE" # create may overwrite: nothing to keep yet
  resolve_conflicts_on_update = "PRESERVE"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "platform-prod"
  cluster_version = "1.31"

  cluster_addons = {
    coredns = { resolve_conflicts_on_update = "PRESERVE" }
    kube-proxy = {
      resolve_conflicts_on_update = "PRESERVE"
      most_recent = true # keep
    }
    aws-ebs-csi-driver = {
      resolve_conflicts_on_update = "PRESERVE"
    }
  }
}
