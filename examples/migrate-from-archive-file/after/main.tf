# AFTER: the same function packaged by lambda_package (see ../README.md).
#
# No staging directory, no local_file, no data source: the two source blocks
# say where each folder lands in the ZIP, the ZIP and its hashes are known at
# plan, refresh re-hashes the ZIP on disk, and the plan fails if the handler
# or one of its imports is missing from the package.
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

resource "lambda_package" "course_request_handler" {
  # The path the archive_file data source used, so the function's `filename`
  # does not change.
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

  # Belt and braces: the import check already requires these, because the
  # handler imports shared.logic.courses.
  required_files = [
    "shared/__init__.py",
    "shared/logic/__init__.py",
    "shared/logic/courses.py",
  ]
}

# With the AWS provider, the function takes the package's attributes instead
# of the data source's (examples/deploy-aws has the complete wiring):
#
# resource "aws_lambda_function" "course_request_handler" {
#   function_name    = "course-request-handler"
#   role             = aws_iam_role.course_request_handler.arn
#   runtime          = lambda_package.course_request_handler.runtime
#   handler          = lambda_package.course_request_handler.handler
#   filename         = lambda_package.course_request_handler.output_path
#   source_code_hash = lambda_package.course_request_handler.output_base64sha256
# }

output "output_path" {
  value = lambda_package.course_request_handler.output_path
}

output "output_base64sha256" {
  value = lambda_package.course_request_handler.output_base64sha256
}

output "files" {
  value = lambda_package.course_request_handler.files
}
