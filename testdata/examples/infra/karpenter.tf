# Karpenter: controller IAM (Pod Identity) and the node role with its EC2_LINUX access entry.
module "karpenter" {
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "~> 21.3"

  cluster_name = module.eks.cluster_name

  node_iam_role_name            = "KarpenterNodeRole-${var.cluster_name}"
  node_iam_role_use_name_prefix = false
  node_iam_role_additional_policies = {
    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }
}

resource "helm_release" "karpenter" {
  name             = "karpenter"
  namespace        = "kube-system"
  repository       = "oci://public.ecr.aws/karpenter"
  chart            = "karpenter"
  version          = "1.8.1"
  create_namespace = false
  wait             = true

  values = [
    <<-EOT
    serviceAccount:
      name: ${module.karpenter.service_account}
    settings:
      clusterName: ${module.eks.cluster_name}
      clusterEndpoint: ${module.eks.cluster_endpoint}
      interruptionQueue: ${module.karpenter.queue_name}
    nodeSelector:
      node-role/system: "true"
    tolerations:
      - key: CriticalAddonsOnly
        operator: Exists
    replicas: 2
    EOT
  ]
}

# The default EC2NodeClass ships with the cluster. Prefix delegation is on (main.tf), so
# kubelet.maxPods is pinned: Karpenter would otherwise advertise the per-IP ENI limit.
resource "kubectl_manifest" "default_node_class" {
  yaml_body = <<-YAML
    apiVersion: karpenter.k8s.aws/v1
    kind: EC2NodeClass
    metadata:
      name: default
    spec:
      role: ${module.karpenter.node_iam_role_name}
      amiSelectorTerms:
        - alias: al2023@v20251117
      subnetSelectorTerms:
        - tags:
            karpenter.sh/discovery: ${module.eks.cluster_name}
      securityGroupSelectorTerms:
        - tags:
            karpenter.sh/discovery: ${module.eks.cluster_name}
      kubelet:
        maxPods: 110
      metadataOptions:
        httpEndpoint: enabled
        httpTokens: required
        httpPutResponseHopLimit: 1
      blockDeviceMappings:
        - deviceName: /dev/xvda
          ebs:
            volumeSize: 80Gi
            volumeType: gp3
            encrypted: true
  YAML

  depends_on = [helm_release.karpenter]
}

resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.14.0"

  values = [yamlencode({
    clusterName = module.eks.cluster_name
    vpcId       = var.vpc_id
    serviceAccount = {
      name = "aws-load-balancer-controller"
    }
    nodeSelector = { "node-role/system" = "true" }
    tolerations  = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
  })]
}
