# The team's own library, published as a wheel (to a private index, or a
# wheels/ directory that CI fills with `pip wheel`).
from setuptools import setup

setup(name="textfmt", version="1.2.0", packages=["textfmt"], python_requires=">=3.8")
