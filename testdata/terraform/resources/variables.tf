variable "cluster_name" {
  description = "Name of the EKS cluster"
  type        = string
  default     = "platform-prod"
}

variable "cluster_version" {
  description = "Kubernetes minor version"
  type        = string
  default     = "1.31"
}

variable "subnet_ids" {
  description = "Private subnets for the control plane and the nodes"
  type        = list(string)
}

variable "admin_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/platform-admin"
}

variable "coredns_resolve_conflicts" {
  description = "How add-on updates treat fields changed on the cluster"
  type        = string
  default     = "OVERWRITE"
}

variable "tags" {
  type = map(string)
  default = {
    Team        = "platform"
    Environment = "prod"
  }
}
