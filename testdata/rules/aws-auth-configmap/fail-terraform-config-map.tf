resource "kubernetes_config_map_v1_data" "aws_auth" {  # expect: EKS102
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }
  force = true
  data = {
    mapRoles = yamlencode([
      {
        rolearn  = "arn:aws:iam::111122223333:role/platform-admins"
        username = "platform-admin"
        groups   = ["system:masters"]
      },
    ])
  }
}
