resource "aws_launch_template" "lt" {
  user_data = base64encode(<<EOT
#!/bin/bash
/etc/eks/bootstrap.sh x --max-pods 300
}
