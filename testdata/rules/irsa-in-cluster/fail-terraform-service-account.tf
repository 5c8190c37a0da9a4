resource "kubernetes_service_account_v1" "app" {
  metadata {
    name      = "reporting"
    namespace = "analytics"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/reporting"  # expect: EKS203
    }
  }
}
