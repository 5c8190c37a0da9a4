# The module always sends bootstrap false; without enable_cluster_creator_admin_permissions
# the creator is not added, and the only entry is read-only.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                = "platform-prod"
  kubernetes_version  = "1.33"
  authentication_mode = "API"  # expect: EKS103

  access_entries = {
    auditors = {
      principal_arn = "arn:aws:iam::111122223333:role/auditors"
      policy_associations = {
        view = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }
}
