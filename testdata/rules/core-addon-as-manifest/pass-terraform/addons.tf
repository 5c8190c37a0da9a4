resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = "platform-prod"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_update = "PRESERVE"
}

resource "aws_eks_addon" "coredns" {
  cluster_name                = "platform-prod"
  addon_name                  = "coredns"
  resolve_conflicts_on_update = "PRESERVE"
}

# node-local-dns is not an EKS add-on workload
resource "kubernetes_daemonset" "node_local_dns" {
  metadata {
    name      = "node-local-dns"
    namespace = "kube-system"
  }
  spec {
    selector {
      match_labels = { k8s-app = "node-local-dns" }
    }
    template {
      metadata {
        labels = { k8s-app = "node-local-dns" }
      }
      spec {
        container {
          name  = "node-cache"
          image = "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1"
        }
      }
    }
  }
}
