resource "kubectl_manifest" "envoy" {
  yaml_body = <<YAML
apiVersion: v1
kind: Service
metadata:
  name: envoy
  namespace: edge
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
spec:
  type: LoadBalancer
  selector:
    app: envoy
  ports:
  - port: 443
    targetPort: 8443
YAML
}
