# Workload identity: EKS Pod Identity, one role per (namespace, ServiceAccount).
# The trust policy is the same for every cluster: the EKS Pod Identity service.
data "aws_iam_policy_document" "pod_identity_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "vpc_cni" {
  name               = "${var.cluster_name}-vpc-cni"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

resource "aws_iam_role_policy_attachment" "vpc_cni" {
  role       = aws_iam_role.vpc_cni.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
}

resource "aws_iam_role" "ebs_csi" {
  name               = "${var.cluster_name}-ebs-csi"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.ebs_csi.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

resource "aws_iam_role" "aws_load_balancer_controller" {
  name               = "${var.cluster_name}-aws-load-balancer-controller"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

resource "aws_eks_pod_identity_association" "aws_load_balancer_controller" {
  cluster_name    = module.eks.cluster_name
  namespace       = "kube-system"
  service_account = "aws-load-balancer-controller"
  role_arn        = aws_iam_role.aws_load_balancer_controller.arn
}

# payments-api reads its card-vault secrets. The ServiceAccount in
# teams/payments/serviceaccount.yaml still carries its old IRSA annotation (EKS201).
resource "aws_iam_role" "payments_api" {
  name               = "${var.cluster_name}-payments-api"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

resource "aws_eks_pod_identity_association" "payments_api" {
  cluster_name    = module.eks.cluster_name
  namespace       = "payments"
  service_account = "payments-api"
  role_arn        = aws_iam_role.payments_api.arn
}

# ledger-exporter writes nightly statements to S3. Its role was copied from an older
# snippet whose trust policy allows sts:AssumeRole but not sts:TagSession, which the
# Pod Identity agent also calls: every credential request is denied (EKS205).
resource "aws_iam_role" "ledger_exporter" {
  name = "${var.cluster_name}-ledger-exporter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_eks_pod_identity_association" "ledger_exporter" {
  cluster_name    = module.eks.cluster_name
  namespace       = "ledger"
  service_account = "ledger-exporter"
  role_arn        = aws_iam_role.ledger_exporter.arn
}

# external-secrets' role is owned by the security team's stack; only the association lives here.
resource "aws_eks_pod_identity_association" "external_secrets" {
  cluster_name    = module.eks.cluster_name
  namespace       = "external-secrets"
  service_account = "external-secrets"
  role_arn        = "arn:aws:iam::111122223333:role/platform-prod-external-secrets"
}
