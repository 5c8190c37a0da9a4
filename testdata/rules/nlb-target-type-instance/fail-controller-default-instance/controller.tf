# The controller is installed with its default spelled out: instance targets.
resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"

  values = [yamlencode({
    clusterName       = "platform-prod"
    defaultTargetType = "instance"
  })]
}
