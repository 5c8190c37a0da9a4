# The target type is not written: the fix would be a new HCL attribute, so none is offered.
resource "kubernetes_service_v1" "redis" {
  metadata {
    name      = "redis"
    namespace = "data"
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type" = "external" # expect: EKS603
    }
  }
  spec {
    type = "LoadBalancer"
    port {
      port = 6379
    }
  }
}
