# The platform runs the AWS Load Balancer Controller with pod-IP targets as the default
# for every Ingress and Service that does not choose (chart value defaultTargetType).
resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.14.0"

  values = [yamlencode({
    clusterName       = "platform"
    defaultTargetType = "ip"
    serviceAccount    = { name = "aws-load-balancer-controller" }
  })]
}
