resource "kubernetes_service_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type"            = "external"
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type" = "instance"
      "service.beta.kubernetes.io/aws-load-balancer-scheme"          = "internet-facing"
    }
  }

  spec {
    type = "LoadBalancer"
    selector = {
      app = "api"
    }
    port {
      name        = "https"
      port        = 443
      target_port = "8443"
    }
  }
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/shop-api"
    }
  }
  automount_service_account_token = true
}

resource "kubernetes_config_map" "aws_auth" {
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }

  data = {
    mapRoles = yamlencode([
      {
        rolearn  = "arn:aws:iam::111122223333:role/node"
        username = "system:node:{{EC2PrivateDNSName}}"
        groups   = ["system:bootstrappers", "system:nodes"]
      },
    ])
  }
}
