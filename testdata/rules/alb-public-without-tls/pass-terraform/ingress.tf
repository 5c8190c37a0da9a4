resource "kubernetes_ingress_v1" "shop" {
  metadata {
    name      = "shop"
    namespace = "web"
    annotations = {
      "alb.ingress.kubernetes.io/scheme"          = "internet-facing"
      "alb.ingress.kubernetes.io/listen-ports"    = jsonencode([{ HTTP = 80 }, { HTTPS = 443 }])
      "alb.ingress.kubernetes.io/certificate-arn" = "arn:aws:acm:eu-west-1:123456789012:certificate/0b6c2f7e-1111-4c3a-9d9e-2f1a2b3c4d5e"
      "alb.ingress.kubernetes.io/ssl-redirect"    = "443"
    }
  }
  spec {
    ingress_class_name = "alb"
    default_backend {
      service {
        name = "shop"
        port {
          number = 80
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "internal" {
  metadata {
    name      = "admin"
    namespace = "backoffice"
    annotations = {
      "alb.ingress.kubernetes.io/scheme" = var.admin_scheme
    }
  }
  spec {
    ingress_class_name = "alb"
  }
}

variable "admin_scheme" {
  type = string
}
