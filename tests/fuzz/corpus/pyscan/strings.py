x = f"{d[\"k\"]} {f'{y!r:>{w}}'} {{z}}"
s = r"""
import fake
"""
b = rb'\''; import real
from a \
  import b
