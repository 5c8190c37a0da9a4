resource "kubernetes_ingress_v1" "checkout" {
  metadata {
    name      = "checkout"
    namespace = "payments"
    annotations = {
      "alb.ingress.kubernetes.io/group.name"  = "shared-internal"
      "alb.ingress.kubernetes.io/target-type" = "instance" # legacy
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
