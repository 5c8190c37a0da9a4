resource "kubernetes_ingress_v1" "shop" {
  metadata {
    name      = "shop"
    namespace = "web"
    annotations = {
      "alb.ingress.kubernetes.io/group.name"      = "web"
      "alb.ingress.kubernetes.io/scheme"          = "internet-facing"
      "alb.ingress.kubernetes.io/certificate-arn" = "arn:aws:acm:eu-west-1:123456789012:certificate/0b6c2f7e-1111-4c3a-9d9e-2f1a2b3c4d5e"
    }
  }
  spec {
    ingress_class_name = "alb"
  }
}

resource "kubectl_manifest" "admin" {
  yaml_body = <<-YAML
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: admin
      namespace: web
      annotations:
        alb.ingress.kubernetes.io/group.name: web
        alb.ingress.kubernetes.io/scheme: internal # expect: EKS606
    spec:
      ingressClassName: alb
      defaultBackend:
        service: {name: admin, port: {number: 80}}
  YAML
}
