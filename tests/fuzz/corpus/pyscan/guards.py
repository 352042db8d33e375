try:
    import ujson as json
except ImportError:
    import json
if TYPE_CHECKING:
    from mypy_boto3_s3 import Client
with suppress(ImportError): import maybe
