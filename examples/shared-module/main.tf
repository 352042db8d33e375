# One shared/ module used by two functions.
#
# src/shared is packaged under the prefix `shared` into both the orders and the
# invoices package, so `from shared.money import ...` resolves in each. The
# outputs show what determinism buys: the shared entries of both packages have
# the same hashes in `files`, and a third package built from the same sources
# as orders is the same ZIP, byte for byte (same output_base64sha256), whatever
# its output path.
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

resource "lambda_package" "orders" {
  output_path = "${path.module}/build/orders.zip"
  runtime     = "python3.12"
  handler     = "orders.handler.lambda_handler"

  source {
    path   = "${path.module}/src/orders"
    prefix = "orders"
  }

  source {
    path   = "${path.module}/src/shared"
    prefix = "shared"
  }
}

resource "lambda_package" "invoices" {
  output_path = "${path.module}/build/invoices.zip"
  runtime     = "python3.12"
  handler     = "invoices.handler.lambda_handler"

  source {
    path   = "${path.module}/src/invoices"
    prefix = "invoices"
  }

  source {
    path   = "${path.module}/src/shared"
    prefix = "shared"
  }
}

# Same sources as orders, another output path: the same bytes.
resource "lambda_package" "orders_copy" {
  output_path = "${path.module}/build/copy/orders.zip"
  runtime     = "python3.12"
  handler     = "orders.handler.lambda_handler"

  source {
    path   = "${path.module}/src/orders"
    prefix = "orders"
  }

  source {
    path   = "${path.module}/src/shared"
    prefix = "shared"
  }
}

locals {
  shared_in_orders   = { for name, sha256 in lambda_package.orders.files : name => sha256 if startswith(name, "shared/") }
  shared_in_invoices = { for name, sha256 in lambda_package.invoices.files : name => sha256 if startswith(name, "shared/") }
}

output "shared_files_in_orders" {
  value = local.shared_in_orders
}

output "shared_files_in_invoices" {
  value = local.shared_in_invoices
}

output "shared_entries_identical" {
  value = local.shared_in_orders == local.shared_in_invoices

  precondition {
    condition     = join(",", sort(keys(local.shared_in_orders))) == "shared/__init__.py,shared/money.py,shared/validation.py"
    error_message = "The orders package should list each file of src/shared under shared/."
  }
  precondition {
    condition     = local.shared_in_orders == local.shared_in_invoices
    error_message = "The same src/shared files should have the same hashes in both packages."
  }
}

output "orders_base64sha256" {
  value = lambda_package.orders.output_base64sha256
}

output "orders_copy_base64sha256" {
  value = lambda_package.orders_copy.output_base64sha256
}

output "identical_sources_identical_zip" {
  value = lambda_package.orders.output_base64sha256 == lambda_package.orders_copy.output_base64sha256

  precondition {
    condition     = lambda_package.orders.output_base64sha256 == lambda_package.orders_copy.output_base64sha256
    error_message = "Packages built from the same sources should be the same ZIP, byte for byte."
  }
  precondition {
    condition     = lambda_package.orders.output_base64sha256 != lambda_package.invoices.output_base64sha256
    error_message = "Different sources should give different ZIPs."
  }
}
