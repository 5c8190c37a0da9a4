module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "platform-prod"
  cluster_version = "1.31"

  cluster_addons = {
    coredns = {} # expect: EKS501
    kube-proxy = { # expect: EKS501
      most_recent = true
    }
    vpc-cni = {
      most_recent                 = true
      resolve_conflicts_on_update = "OVERWRITE" # expect: EKS501
    }
    aws-ebs-csi-driver = {
      resolve_conflicts_on_update = "PRESERVE"
    }
    aws-efs-csi-driver = { # expect: EKS501
      resolve_conflicts = "PRESERVE" # not a module key: ignored, the default OVERWRITE applies
    }
  }

  vpc_id     = "vpc-0a1b2c3d"
  subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
}
