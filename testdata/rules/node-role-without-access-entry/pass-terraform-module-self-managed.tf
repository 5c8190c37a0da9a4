# The module creates the access entry of its self-managed node groups (create_access_entry).
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                = "platform-prod"
  authentication_mode = "API"

  access_entries = {
    admins = {
      principal_arn = "arn:aws:iam::111122223333:role/platform-admins"
      policy_associations = {
        admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  self_managed_node_groups = {
    legacy = {
      instance_type   = "m5.large"
      create_iam_role = false
      iam_role_arn    = "arn:aws:iam::111122223333:role/legacy-nodes"
    }
  }
}
