# A Lambda layer and a function that uses it.
#
# Lambda unpacks a layer under /opt and adds /opt/python to sys.path, so a
# Python library must sit under python/ in the layer ZIP. The `prefix` maps
# src/mylib to python/mylib without a staging copy.
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

resource "lambda_package" "layer" {
  output_path = "${path.module}/build/mylib-layer.zip"

  source {
    path   = "${path.module}/src/mylib"
    prefix = "python/mylib"
  }

  # A layer has no handler, so there is nothing to resolve at plan; this
  # check at least fails the plan if the layout is wrong (e.g. prefix "mylib").
  required_files = ["python/mylib/__init__.py"]
}

# The function's own package does not contain mylib: the layer provides it.
# external_modules says so; any other unresolved import is a plan error
# (strict_imports, the default, written out here for the reader).
resource "lambda_package" "report" {
  output_path = "${path.module}/build/report.zip"
  runtime     = "python3.12"
  handler     = "report.handler.lambda_handler"

  source {
    path   = "${path.module}/src/report"
    prefix = "report"
  }

  # An inline file, generated from Terraform values.
  source {
    content  = jsonencode({ short_title_length = 16 })
    filename = "report/settings.json"
  }

  external_modules = ["mylib"]
  strict_imports   = true
}

# With the AWS provider (see examples/deploy-aws):
#
# resource "aws_lambda_layer_version" "mylib" {
#   layer_name          = "mylib"
#   filename            = lambda_package.layer.output_path
#   source_code_hash    = lambda_package.layer.output_base64sha256
#   compatible_runtimes = ["python3.12"]
# }
#
# and in the function: layers = [aws_lambda_layer_version.mylib.arn]

output "layer_zip" {
  value = lambda_package.layer.output_path
}

output "layer_base64sha256" {
  value = lambda_package.layer.output_base64sha256
}

output "layer_files" {
  value = lambda_package.layer.files
}

output "report_files" {
  value = lambda_package.report.files
}
