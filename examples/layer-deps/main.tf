# A Python layer built from a requirements file, and a function that uses it.
#
# Lambda adds /opt/python to sys.path, so the layer installs its requirements
# under the archive folder `python` (prefix). The install runs at plan, from
# the lock file, into a verified cache: `output_base64sha256` of the layer is
# known at plan and changes only when the requirements (or the wheels they
# pin) change. See docs/guides/dependencies.md.
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

# Where the wheels come from. This example installs the team's own library
# from a local directory of wheels, without any index:
#   pip wheel --no-deps -w wheels packages/textfmt
# With PyPI (or a private index), drop find_links and index_url, or set
# index_url to the private index.
variable "wheelhouse" {
  type    = string
  default = null
}

resource "lambda_package" "layer" {
  output_path  = "${path.module}/build/textfmt-layer.zip"
  runtime      = "python3.12"
  architecture = "x86_64"

  dependencies {
    file       = "${path.module}/layer/requirements.txt"
    prefix     = "python"
    index_url  = ""
    find_links = [coalesce(var.wheelhouse, "${path.module}/wheels")]
  }

  required_files = ["python/textfmt/__init__.py"]
}

# The function's package holds only its own code; the layer provides textfmt.
resource "lambda_package" "report" {
  output_path = "${path.module}/build/report.zip"
  runtime     = "python3.12"
  handler     = "report.handler.lambda_handler"

  source {
    path   = "${path.module}/src/report"
    prefix = "report"
  }

  external_modules = ["textfmt"]
  strict_imports   = true
}

# With the AWS provider (see examples/deploy-aws):
#
# resource "aws_lambda_layer_version" "textfmt" {
#   layer_name               = "textfmt"
#   filename                 = lambda_package.layer.output_path
#   source_code_hash         = lambda_package.layer.output_base64sha256
#   compatible_runtimes      = ["python3.12"]
#   compatible_architectures = ["x86_64"]
# }
#
# and in the function: layers = [aws_lambda_layer_version.textfmt.arn]

output "layer_base64sha256" {
  value = lambda_package.layer.output_base64sha256
}

output "layer_files" {
  value = lambda_package.layer.files
}

output "report_files" {
  value = lambda_package.report.files
}
