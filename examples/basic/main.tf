# The layout from the incident: a function folder plus a shared/ folder that
# must be packaged under the prefix `shared`, so that
# `from shared.logic.courses import find_course` resolves inside the ZIP.
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

resource "lambda_package" "course_request_handler" {
  output_path = "${path.module}/build/course_request_handler.zip"
  runtime     = "python3.12"
  handler     = "course_request_handler.handler.lambda_handler"

  source {
    path   = "${path.module}/src/lambda/course_request_handler"
    prefix = "course_request_handler"
  }

  source {
    path   = "${path.module}/src/lambda/shared"
    prefix = "shared"
  }
}

# Feed these to aws_lambda_function (see examples/deploy-aws):
#   filename         = lambda_package.course_request_handler.output_path
#   source_code_hash = lambda_package.course_request_handler.output_base64sha256
output "output_path" {
  value = lambda_package.course_request_handler.output_path
}

output "output_base64sha256" {
  value = lambda_package.course_request_handler.output_base64sha256
}

output "content_hash" {
  value = lambda_package.course_request_handler.content_hash
}

output "files" {
  value = lambda_package.course_request_handler.files
}
