"""Helpers shared by the functions of this example, packaged under the prefix `shared`."""
