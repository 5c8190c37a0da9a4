resource "kubectl_manifest" "aws_auth" {
  yaml_body = <<-YAML
    apiVersion: v1
    kind: ConfigMap  # expect: EKS102
    metadata:
      name: aws-auth
      namespace: kube-system
    data:
      mapRoles: |
        - rolearn: arn:aws:iam::111122223333:role/eks-node
          username: system:node:{{EC2PrivateDNSName}}
          groups: [system:bootstrappers, system:nodes]
  YAML
}
