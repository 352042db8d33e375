# BEFORE: the packaging pattern from the incident. Kept for comparison only:
# it is not meant to be applied here (it needs hashicorp/local,
# hashicorp/archive and hashicorp/aws, and it is broken -- see the comments).
# after/main.tf is the replacement; ../README.md explains the move.
#
# The idea was: copy the function folder and the shared/ folder into one
# staging directory with local_file, then zip that directory with the
# archive_file data source, and hand the ZIP to aws_lambda_function.
terraform {
  required_providers {
    local   = { source = "hashicorp/local" }
    archive = { source = "hashicorp/archive" }
    aws     = { source = "hashicorp/aws" }
  }
}

locals {
  # In the original configuration this was "${path.module}/src/lambda"; the
  # sources are kept once, in after/src.
  src     = "${path.module}/../after/src/lambda"
  staging = "${path.module}/build/staging/course_request_handler"
}

# Stage the handler and the shared code side by side.
resource "local_file" "handler" {
  for_each = fileset("${local.src}/course_request_handler", "**/*.py")
  filename = "${local.staging}/course_request_handler/${each.value}"
  content  = file("${local.src}/course_request_handler/${each.value}")
}

resource "local_file" "shared" {
  for_each = fileset("${local.src}/shared", "**/*.py")
  filename = "${local.staging}/shared/${each.value}"
  content  = file("${local.src}/shared/${each.value}")
}

# PROBLEM 1: nothing orders this data source after the local_file resources
# (it references none of them), so Terraform reads it during *plan*, before
# apply has written the staged copies. The ZIP is made of whatever the staging
# directory held at that moment. When shared/logic/ was added, plan zipped a
# staging directory without it, apply then wrote shared/logic/*.py into
# staging (so the state listed them) and uploaded the ZIP made at plan, which
# did not contain them: "No module named 'shared.logic'".
#
# PROBLEM 2: adding depends_on = [local_file.handler, local_file.shared]
# defers the read to apply, but then output_base64sha256 is
# "(known after apply)" in every plan: the plan can no longer say whether the
# code changes, let alone which files.
#
# PROBLEM 3: nothing ever looks at the ZIP again. The state records the
# staged copies and a hash taken when the ZIP was written; a ZIP missing on a
# fresh CI runner, rebuilt from a stale staging directory or edited by hand
# goes unnoticed. Entry modes come from the staged files on disk (local_file's
# file_permission, the umask), so two machines need not produce the same ZIP.
#
# PROBLEM 4: nothing checks that the handler or its imports exist in the ZIP.
data "archive_file" "course_request_handler" {
  type        = "zip"
  source_dir  = local.staging
  output_path = "${path.module}/build/course_request_handler.zip"
}

resource "aws_iam_role" "course_request_handler" {
  name = "course-request-handler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "course_request_handler" {
  function_name    = "course-request-handler"
  role             = aws_iam_role.course_request_handler.arn
  runtime          = "python3.12"
  handler          = "course_request_handler.handler.lambda_handler"
  filename         = data.archive_file.course_request_handler.output_path
  source_code_hash = data.archive_file.course_request_handler.output_base64sha256
}
