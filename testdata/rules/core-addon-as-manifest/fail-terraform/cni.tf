resource "kubectl_manifest" "coredns" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: Deployment # expect: EKS502
    metadata:
      name: coredns
      namespace: kube-system
    spec:
      replicas: 2
      selector:
        matchLabels: {k8s-app: kube-dns}
      template:
        metadata:
          labels: {k8s-app: kube-dns}
        spec:
          containers:
            - name: coredns
              image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.11.3-eksbuild.2
  YAML
}

resource "kubernetes_daemonset" "kube_proxy" { # expect: EKS502
  metadata {
    name      = "kube-proxy"
    namespace = "kube-system"
  }
  spec {
    selector {
      match_labels = { k8s-app = "kube-proxy" }
    }
    template {
      metadata {
        labels = { k8s-app = "kube-proxy" }
      }
      spec {
        container {
          name  = "kube-proxy"
          image = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.31.3-minimal-eksbuild.2"
        }
      }
    }
  }
}
