# The usual shape: the association names the role by reference, and the role still trusts
# only the IRSA web identity.
resource "aws_iam_role" "external_dns" {
  name = "external-dns"
  assume_role_policy = jsonencode({  # expect: EKS205
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.eks.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
    }]
  })
}

resource "aws_eks_pod_identity_association" "external_dns" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = "external-dns"
  service_account = "external-dns"
  role_arn        = aws_iam_role.external_dns.arn
}
