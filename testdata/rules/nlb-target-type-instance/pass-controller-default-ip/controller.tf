# The controller is installed with pod-IP targets as its default for every Ingress that
# does not choose (chart value defaultTargetType -> --default-target-type).
resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"

  values = [yamlencode({
    clusterName       = "platform-prod"
    defaultTargetType = "ip"
  })]
}
