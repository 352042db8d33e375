# Deploying a lambda_package with the AWS provider.
#
# Validate-only in this repository: the AWS provider cannot be installed on the
# machines that run the test suite (no network), so the suite does not apply
# this example. `terraform validate` works wherever hashicorp/aws is installed
# (`terraform init` with registry access); `terraform apply` needs AWS
# credentials and creates an IAM role and a Lambda function.
#
# The wiring:
#   filename         = lambda_package.api.output_path
#   source_code_hash = lambda_package.api.output_base64sha256
# and a check block that warns when the code Lambda runs (code_sha256, read
# from AWS on every refresh) is not the package Terraform built.
terraform {
  required_version = ">= 1.5" # check blocks

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.51" # code_sha256 on aws_lambda_function
    }
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

variable "region" {
  type        = string
  description = "AWS region to deploy to."
  default     = "eu-west-1"
}

variable "function_name" {
  type        = string
  description = "Name of the Lambda function (and prefix of its IAM role)."
  default     = "lambdapack-example-api"
}

variable "stage" {
  type        = string
  description = "Stage name, written into the package as api/settings.json."
  default     = "dev"
}

provider "aws" {
  region = var.region
}

resource "lambda_package" "api" {
  # One ZIP per workspace: destroying one workspace's package never removes
  # another's.
  output_path = "${path.module}/build/${terraform.workspace}/api.zip"
  runtime     = "python3.12"
  handler     = "api.handler.lambda_handler"

  source {
    path   = "${path.module}/src/api"
    prefix = "api"
  }

  source {
    path   = "${path.module}/src/shared"
    prefix = "shared"
  }

  source {
    content  = jsonencode({ stage = var.stage })
    filename = "api/settings.json"
  }
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy_attachment" "api_logs" {
  role       = aws_iam_role.api.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "api" {
  function_name = var.function_name
  role          = aws_iam_role.api.arn

  # Taken from the package, so the handler the plan checked is the one Lambda
  # calls.
  runtime = lambda_package.api.runtime
  handler = lambda_package.api.handler

  # The ZIP lambda_package wrote, and its hash in the form Lambda reports
  # (CodeSha256). A change of sources changes the hash, which makes the AWS
  # provider upload the new ZIP; a rebuilt-but-identical ZIP (fresh CI runner)
  # changes nothing.
  filename         = lambda_package.api.output_path
  source_code_hash = lambda_package.api.output_base64sha256

  # With hashicorp/aws 6.x (code_sha256 Optional, aws#45618), also set
  #   code_sha256 = lambda_package.api.output_base64sha256
  # so that code changed outside Terraform plans an update and a plain apply
  # puts the package back. 5.x only reports code_sha256: see the check below.

  depends_on = [aws_iam_role_policy_attachment.api_logs]
}

# Since AWS provider 5.51, source_code_hash is only a trigger kept in the
# state: code changed outside Terraform (console, CLI, another pipeline) does
# not show in it, and `terraform apply` does not put the package back.
# code_sha256 is read from Lambda on every refresh, so this check warns on
# every plan and apply where the code Lambda runs is not this package.
#
# A warning means the code was changed outside Terraform:
# docs/guides/verify-deployed-code.md shows how to see which files differ
# (lambdapack verify --from-terraform) and how to redeploy the package.
check "deployed_code_is_the_package" {
  # Read through a data source scoped to the check: during the plan when the
  # function has no pending change, after the apply when it has one, so the
  # check compares what Lambda runs now.
  data "aws_lambda_function" "deployed" {
    function_name = aws_lambda_function.api.function_name
    qualifier     = "$LATEST"
  }

  assert {
    condition     = data.aws_lambda_function.deployed.code_sha256 == lambda_package.api.output_base64sha256
    error_message = "Lambda function ${aws_lambda_function.api.function_name} runs code with CodeSha256 ${data.aws_lambda_function.deployed.code_sha256}, not the package built from src/ (${lambda_package.api.output_base64sha256}): the code was changed outside Terraform (see docs/guides/verify-deployed-code.md)."
  }
}

# What Lambda runs, read after the function is applied. The function
# resource's own code_sha256 can still hold the value from before this
# apply's upload, so an output of it goes stale until the next refresh.
data "aws_lambda_function" "after_apply" {
  function_name = aws_lambda_function.api.function_name
  qualifier     = "$LATEST"

  depends_on = [aws_lambda_function.api]
}

output "function_name" {
  value = aws_lambda_function.api.function_name
}

output "package_base64sha256" {
  description = "CodeSha256 of the package built from src/."
  value       = lambda_package.api.output_base64sha256
}

output "deployed_code_sha256" {
  description = "CodeSha256 of the code Lambda runs, read after this apply."
  value       = data.aws_lambda_function.after_apply.code_sha256
}
