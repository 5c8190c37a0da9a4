resource "kubernetes_ingress_v1" "shop" {
  metadata {
    name      = "shop"
    namespace = "shop"
    annotations = {
      "alb.ingress.kubernetes.io/scheme"      = "internet-facing"
      "alb.ingress.kubernetes.io/target-type" = "instance"
    }
  }

  spec {
    ingress_class_name = "alb"

    rule {
      host = "shop.example.com"
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "storefront"
              port {
                number = 80
              }
            }
          }
        }
      }
    }
  }

  wait_for_load_balancer = true
}
