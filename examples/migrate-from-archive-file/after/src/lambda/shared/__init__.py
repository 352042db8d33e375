"""Code shared by every function in src/lambda, packaged under the prefix `shared`."""
