"""Code shared by the orders and invoices functions, packaged under the prefix `shared`."""
