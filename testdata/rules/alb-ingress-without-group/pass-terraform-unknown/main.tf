variable "ingress_group" {
  type = string
}

variable "extra_annotations" {
  type = map(string)
}

# The group comes from a variable without a default: whether the Ingress is grouped
# cannot be told statically, so no rule may guess.
resource "kubernetes_ingress_v1" "checkout" {
  metadata {
    name      = "checkout"
    namespace = "payments"
    annotations = {
      "alb.ingress.kubernetes.io/group.name"       = var.ingress_group
      "alb.ingress.kubernetes.io/target-type"      = "ip"
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

resource "kubernetes_service_v1" "checkout" {
  metadata {
    name        = "checkout-nlb"
    namespace   = "payments"
    annotations = var.extra_annotations
  }
  spec {
    type = "LoadBalancer"
  }
}
