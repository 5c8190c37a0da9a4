variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "cluster_name" {
  type    = string
  default = "platform-prod"
}

variable "vpc_id" {
  description = "VPC from the network stack"
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (one per AZ) for the control plane ENIs and the nodes"
  type        = list(string)
}

variable "office_cidrs" {
  description = "Where kubectl may reach the public API endpoint from (office and VPN egress)"
  type        = list(string)
  default     = ["198.51.100.0/24", "203.0.113.32/27"]
}

variable "platform_admins_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/platform-admins"
}
