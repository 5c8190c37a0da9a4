resource "kubernetes_service_v1" "checkout" {
  metadata {
    name      = "checkout"
    namespace = "payments"
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type"            = "external"
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type" = "instance"
    }
  }
  spec {
    type     = "LoadBalancer"
    selector = { app = "checkout" }
    port {
      port        = 443
      target_port = 8443
    }
  }
}

# the in-tree controller: moved to the AWS Load Balancer Controller
resource "kubernetes_service" "postgres" {
  metadata {
    name      = "postgres"
    namespace = "data"
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type"            = "nlb"
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type" = "instance"
      "service.beta.kubernetes.io/aws-load-balancer-scheme"          = "internal"
    }
  }
  spec {
    type     = "LoadBalancer"
    selector = { app = "postgres" }
    port {
      port = 5432
    }
  }
}
