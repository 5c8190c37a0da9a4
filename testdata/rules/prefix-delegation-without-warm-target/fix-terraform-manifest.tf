resource "kubectl_manifest" "aws_node" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: aws-node
      namespace: kube-system
    spec:
      selector:
        matchLabels: {k8s-app: aws-node}
      template:
        metadata:
          labels: {k8s-app: aws-node}
        spec:
          containers:
            - name: aws-node
              image: 602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1
              env:
                - name: ENABLE_PREFIX_DELEGATION
                  value: "true"  # denser nodes
  YAML
}
