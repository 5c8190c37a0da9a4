# The Deployment's namespace is a variable: whether the PDB (in "shop") selects its
# pods cannot be told, so neither EKS406 nor EKS407 judges it. The second PDB's
# namespace is a variable too: it could be the namespace of the "api" Deployment.
resource "kubectl_manifest" "web" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: ${var.namespace}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: web:1.0}]}
  YAML
}

resource "kubectl_manifest" "web_pdb" {
  yaml_body = <<-YAML
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      minAvailable: 3
      selector: {matchLabels: {app: web}}
  YAML
}

resource "kubectl_manifest" "api" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      replicas: 2
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: api, image: api:1.0}]}
  YAML
}

resource "kubectl_manifest" "api_pdb" {
  yaml_body = <<-YAML
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: api
      namespace: ${var.namespace}
    spec:
      minAvailable: 2
      selector: {matchLabels: {app: api}}
  YAML
}
