resource "kubectl_manifest" "grafana_ingress" {
  yaml_body = <<-YAML
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: grafana
      namespace: monitoring
      annotations:
        alb.ingress.kubernetes.io/group.name: shared-internal
    spec:
      ingressClassName: alb
      defaultBackend:
        service:
          name: grafana
          port:
            number: 80
  YAML
}
