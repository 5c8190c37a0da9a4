resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
    labels = {
      app = "api"
    }
  }

  spec {
    replicas = 3

    selector {
      match_labels = {
        app = "api"
      }
    }

    template {
      metadata {
        labels = {
          app = "api"
        }
      }

      spec {
        service_account_name = kubernetes_service_account_v1.api.metadata[0].name

        container {
          name  = "api"
          image = "public.ecr.aws/nginx/nginx:1.27"

          port {
            container_port = 8443
          }

          resources {
            requests = {
              cpu    = "250m"
              memory = "256Mi"
            }
          }
        }
      }
    }
  }
}
