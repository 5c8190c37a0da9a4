resource "aws_launch_template" "nodes" {
  name_prefix = "nodes-"
  user_data = base64encode(<<EOT
#!/bin/bash
/etc/eks/bootstrap.sh prod --max-pods 110
}
