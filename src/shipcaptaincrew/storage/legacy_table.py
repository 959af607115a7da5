"""Reading the previous system's DynamoDB table for ``scc import-legacy``: read-only.

The only call made is ``Scan`` (page by page, strongly consistent); nothing is ever written
to that table. Items come back in DynamoDB JSON, as ``aws dynamodb scan`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..domain.legacy import SourceError


def scan_items(
    table: str,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    page_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item of ``table``, following ``LastEvaluatedKey`` until the last page (of at
    most ``page_size`` items when given; otherwise DynamoDB's 1 MB pages)."""
    try:
        client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)
    except BotoCoreError as err:  # no region configured, a bad endpoint URL
        raise SourceError(f"Cannot read table {table!r}: {err}") from None
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    if page_size:
        request["Limit"] = page_size
    while True:
        try:
            page = client.scan(**request)
        except NoCredentialsError:
            raise SourceError(
                "No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
            ) from None
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                where = client.meta.region_name
                raise SourceError(f"No DynamoDB table {table!r} in {where}.") from None
            message = err.response.get("Error", {}).get("Message", str(err))
            raise SourceError(f"Cannot read table {table!r}: {code}: {message}") from None
        except BotoCoreError as err:
            raise SourceError(f"Cannot read table {table!r}: {err}") from None
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
