module "eks" {  # expect: EKS202
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "platform-prod"
  kubernetes_version = "1.33"

  addons = {
    coredns    = {}
    kube-proxy = {}
    vpc-cni = {
      before_compute = true
    }
    aws-ebs-csi-driver = {
      pod_identity_association = [{
        role_arn        = "arn:aws:iam::111122223333:role/ebs-csi"
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }
}
