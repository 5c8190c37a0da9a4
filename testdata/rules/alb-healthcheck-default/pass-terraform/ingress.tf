resource "kubernetes_ingress_v1" "checkout" {
  metadata {
    name      = "checkout"
    namespace = "payments"
    annotations = {
      "alb.ingress.kubernetes.io/group.name"       = "shared-internal"
      "alb.ingress.kubernetes.io/healthcheck-path" = "/healthz"
    }
  }
  spec {
    ingress_class_name = "alb"
    default_backend {
      service {
        name = "checkout"
        port {
          number = 80
        }
      }
    }
  }
}

# the path comes from a variable: unknown, so the rule stays quiet
resource "kubernetes_ingress_v1" "search" {
  metadata {
    name      = "search"
    namespace = "search"
    annotations = {
      "alb.ingress.kubernetes.io/group.name"       = "shared-internal"
      "alb.ingress.kubernetes.io/healthcheck-path" = var.search_health_path
    }
  }
  spec {
    ingress_class_name = "alb"
    default_backend {
      service {
        name = "search"
        port {
          number = 80
        }
      }
    }
  }
}

variable "search_health_path" {
  type = string
}
