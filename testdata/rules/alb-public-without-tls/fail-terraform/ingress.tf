# kubernetes_ingress_v1 and kubectl_manifest carry the same annotations as YAML
resource "kubernetes_ingress_v1" "shop" { # expect: EKS604
  metadata {
    name      = "shop"
    namespace = "web"
    annotations = {
      "alb.ingress.kubernetes.io/scheme"      = "internet-facing"
      "alb.ingress.kubernetes.io/target-type" = "ip"
    }
  }
  spec {
    ingress_class_name = "alb"
    rule {
      host = "shop.example.com"
      http {
        path {
          path = "/"
          backend {
            service {
              name = "shop"
              port {
                number = 80
              }
            }
          }
        }
      }
    }
  }
}

resource "kubectl_manifest" "api" {
  yaml_body = <<-YAML
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: api
      namespace: web
      annotations:
        alb.ingress.kubernetes.io/scheme: internet-facing
        alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]' # expect: EKS604
        alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/0b6c2f7e-1111-4c3a-9d9e-2f1a2b3c4d5e
    spec:
      ingressClassName: alb
      defaultBackend:
        service: {name: api, port: {number: 80}}
  YAML
}
