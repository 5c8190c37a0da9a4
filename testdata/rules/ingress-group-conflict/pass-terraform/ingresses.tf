resource "kubernetes_ingress_v1" "shop" {
  metadata {
    name      = "shop"
    namespace = "web"
    annotations = {
      "alb.ingress.kubernetes.io/group.name" = "web"
      "alb.ingress.kubernetes.io/scheme"     = "internal"
    }
  }
  spec {
    ingress_class_name = "alb"
  }
}

# the scheme comes from a variable: unknown, so no conflict can be claimed
resource "kubernetes_ingress_v1" "admin" {
  metadata {
    name      = "admin"
    namespace = "web"
    annotations = {
      "alb.ingress.kubernetes.io/group.name" = "web"
      "alb.ingress.kubernetes.io/scheme"     = var.admin_scheme
    }
  }
  spec {
    ingress_class_name = "alb"
  }
}

variable "admin_scheme" {
  type    = string
  default = null
}
