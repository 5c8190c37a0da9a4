resource "kubectl_manifest" "search" {
  yaml_body = <<-EOT
    # the search team's Ingress
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: search
      namespace: team-search
      annotations:
        alb.ingress.kubernetes.io/target-type: ip
        alb.ingress.kubernetes.io/group.name: shared-internal
    spec:
      ingressClassName: alb
      defaultBackend:
        service:
          name: search
          port:
            number: 80
  EOT
}
