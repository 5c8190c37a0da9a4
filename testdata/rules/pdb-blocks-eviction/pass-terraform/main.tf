resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    replicas = 2
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        container {
          name  = "api"
          image = "api:1.0"
        }
      }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    min_available = "1"
    selector {
      match_labels = { app = "api" }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "frozen" {
  metadata {
    name      = "frozen"
    namespace = "shop"
  }
  spec {
    max_unavailable = "25%"
    selector {
      match_labels = { app = "frozen" }
    }
  }
}
