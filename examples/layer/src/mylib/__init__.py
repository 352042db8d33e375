"""mylib: helpers shipped in a Lambda layer and imported by functions that use the layer.

Lambda unpacks a layer under /opt and puts /opt/python on sys.path, so this
package must sit at python/mylib/ inside the layer ZIP.
"""
from mylib.text import slugify, truncate

__all__ = ["slugify", "truncate"]
