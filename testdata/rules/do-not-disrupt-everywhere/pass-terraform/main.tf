resource "kubernetes_deployment_v1" "lobby" {
  metadata {
    name      = "lobby"
    namespace = "games"
  }
  spec {
    replicas = 4
    selector {
      match_labels = { app = "lobby" }
    }
    template {
      metadata {
        labels = { app = "lobby" }
        annotations = {
          "karpenter.sh/do-not-disrupt" = "15m"
        }
      }
      spec {
        container {
          name  = "lobby"
          image = "lobby:1.0"
        }
      }
    }
  }
}
