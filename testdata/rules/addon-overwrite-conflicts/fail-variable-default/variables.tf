variable "cluster_name" {
  type = string
}

variable "resolve_conflicts_on_update" {
  description = "How add-on updates treat fields changed on the cluster"
  type        = string
  default     = "OVERWRITE"
}
