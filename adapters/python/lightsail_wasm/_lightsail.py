"""The `lightsail` import made with boto3: each WIT function one Lightsail call. Credentials,
region, profile and endpoint (`AWS_ENDPOINT_URL`) come from boto3's own configuration. The rules
kept are the WIT's (wit/provider.wit); the important ones are noted where kept."""

import threading

import botocore.config
import botocore.exceptions
from wasmtime.component import Record, Variant

_STATUS = {
    "NotStarted": "not-started",
    "Started": "started",
    "Failed": "failed",
    "Completed": "completed",
    "Succeeded": "succeeded",
}

_ACCESS_DENIED = ("AccessDenied", "Unauthenticated", "UnrecognizedClient", "Signature", "ExpiredToken")


def record(**fields):
    """A WIT record: wasmtime-py names its fields as the WIT does (`access-key-id`)."""
    value = Record()
    for name, field in fields.items():
        setattr(value, name.replace("_", "-"), field)
    return value


class ApiError(Exception):
    """A call's failure as the WIT's `api-error` record (a host's carries no hint)."""

    def __init__(self, kind, code, message, retryable=None):
        super().__init__(f"{code}: {message}")
        if retryable is None:
            retryable = kind in ("service", "transport")
        self.record = record(kind=kind, code=code, message=message, retryable=retryable, hint=None)


def malformed(message):
    """An answer that lacks what the WIT's records require: never an empty string or a guess."""
    return ApiError("other", "MalformedResponse", message, retryable=False)


def api_error(error, endpoint):
    """A boto3 failure with the error kind the WIT's rules give it."""
    if isinstance(error, botocore.exceptions.ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code") or "Error"
        message = details.get("Message") or str(error)
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code in ("NotFoundException", "DoesNotExist") or "DoesNotExist" in message:
            kind = "not-found"
        elif code == "InvalidInputException":
            kind = "invalid-input"
        elif any(word in code for word in _ACCESS_DENIED):
            kind = "access-denied"
        elif code in ("ThrottlingException", "ServiceException", "ServiceUnavailable") or status >= 500:
            kind = "service"
        else:
            kind = "other"
        return ApiError(kind, code, message)
    if isinstance(error, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return ApiError("access-denied", "NoCredentials", str(error))
    if isinstance(error, botocore.exceptions.ParamValidationError):
        return ApiError("invalid-input", "ParamValidation", str(error))
    # No connection was made (refused, a name that does not resolve): nothing was sent, and a
    # wrong endpoint does not mend within the component's retries.
    if isinstance(error, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError)):
        return ApiError("not-sent", "ConnectionFailed", f"{endpoint} could not be reached: {error}", retryable=False)
    # Anything else came after the request may have left (a connection closed, a timeout, an answer
    # that could not be read): the WIT's lost-answer rule makes it `transport`.
    return ApiError("transport", type(error).__name__, str(error))


def _seconds(value):
    return value.timestamp() if value is not None else None


def _required(answer, member, what):
    value = answer.get(member)
    if not value:
        raise malformed(f"{what} came without its {member}")
    return value


def operation(o):
    status = _STATUS.get(o.get("status"))
    if status is None:
        raise malformed(f"an operation came with the status {o.get('status')!r}, which the WIT does not know")
    return record(
        id=_required(o, "id", "an operation"),
        resource_name=o.get("resourceName"),
        operation_type=o.get("operationType"),
        status=status,
        is_terminal=bool(o.get("isTerminal")),
        created_at=_seconds(o.get("createdAt")),
        error_code=o.get("errorCode"),
        error_details=o.get("errorDetails"),
    )


def operations(answer):
    return [operation(o) for o in answer.get("operations", [])]


def access_key(k):
    used = k.get("lastUsed")
    return record(
        access_key_id=_required(k, "accessKeyId", "an access key"),
        secret_access_key=k.get("secretAccessKey"),
        status=k.get("status"),
        created_at=_seconds(k.get("createdAt")),
        last_used=used
        and record(
            last_used_date=_seconds(used.get("lastUsedDate")),
            region=used.get("region"),
            service_name=used.get("serviceName"),
        ),
    )


def bucket(b):
    location = b.get("location", {})
    return record(
        name=_required(b, "name", "a bucket"),
        arn=b.get("arn"),
        bundle_id=b.get("bundleId"),
        created_at=_seconds(b.get("createdAt")),
        url=b.get("url"),
        availability_zone=location.get("availabilityZone"),
        region=location.get("regionName"),
        support_code=b.get("supportCode"),
        tags=[(t["key"], t.get("value", "")) for t in b.get("tags", []) if "key" in t],
    )


def _sdk_tags(tags):
    return [{"key": key, "value": value} for key, value in tags]


def _get_bucket(out, request):
    # The WIT: the bucket of exactly this name, or not-found.
    name = request["bucketName"]
    found = [b for b in out.get("buckets", []) if b.get("name") == name]
    if not found:
        raise ApiError("not-found", "NotFoundException", f"no bucket {name}")
    return bucket(found[0])


class _Operation:
    """One `lightsail` import as the Lightsail operation it is (the WIT's rule): boto3's method, the
    members the WIT's parameters after the region fill, in order, and the answer in the WIT's
    records. `record`: the `ok` case is a record (wasmtime-py then tags the result); `once`: the
    WIT's send-once rule."""

    def __init__(self, method, members, answer, record=False, once=False):
        self.method, self.members, self.answer, self.record, self.once = method, members, answer, record, once


_OPERATIONS = {
    "create-bucket-access-key": _Operation(
        "create_bucket_access_key",
        ("bucketName",),
        lambda out, _: record(access_key=access_key(_required(out, "accessKey", "the answer")), operations=operations(out)),
        record=True,
        once=True,
    ),
    "get-bucket-access-keys": _Operation(
        "get_bucket_access_keys", ("bucketName",), lambda out, _: [access_key(k) for k in out.get("accessKeys", [])]
    ),
    "delete-bucket-access-key": _Operation(
        "delete_bucket_access_key", ("bucketName", "accessKeyId"), lambda out, _: operations(out)
    ),
    "get-operation": _Operation(
        "get_operation", ("operationId",), lambda out, _: operation(_required(out, "operation", "the answer")), record=True
    ),
    "create-bucket": _Operation(
        "create_bucket",
        ("bucketName", "bundleId", "tags"),
        lambda out, _: record(bucket=bucket(_required(out, "bucket", "the answer")), operations=operations(out)),
        record=True,
    ),
    "get-bucket": _Operation("get_buckets", ("bucketName",), _get_bucket, record=True),
    "get-buckets": _Operation(
        "get_buckets",
        ("pageToken",),
        lambda out, _: record(
            buckets=[bucket(b) for b in out.get("buckets", [])], next_page_token=out.get("nextPageToken")
        ),
        record=True,
    ),
    "update-bucket-bundle": _Operation("update_bucket_bundle", ("bucketName", "bundleId"), lambda out, _: operations(out)),
    "delete-bucket": _Operation("delete_bucket", ("bucketName", "forceDelete"), lambda out, _: operations(out)),
    "tag-resource": _Operation("tag_resource", ("resourceName", "tags"), lambda out, _: operations(out)),
    "untag-resource": _Operation("untag_resource", ("resourceName", "tagKeys"), lambda out, _: operations(out)),
}


def _request(members, args):
    """The operation's request: its members from the WIT's arguments (tags as Lightsail's list; an
    empty one left out, as Lightsail's own clients do)."""
    request = {}
    for member, value in zip(members, args):
        if value is None:  # an option left out: a member the request omits
            continue
        if member == "tags":
            if not value:
                continue
            value = _sdk_tags(value)
        request[member] = value
    return request


class Lightsail:
    """The functions of the `lightsail` import, for one boto3 session."""

    def __init__(self, session, endpoint_url=None, default_tags=None):
        self._session = session
        self._endpoint_url = endpoint_url
        self._default_tags = list((default_tags or {}).items())
        self._clients = {}
        self._clients_guard = threading.Lock()
        self.default_region = session.region_name or ""

    def _client(self, region, once=False):
        key = (region or "", once)
        with self._clients_guard:
            if key not in self._clients:
                # The WIT: create-bucket-access-key is sent at most once per call, so its client
                # never retries (a retry after a lost answer makes a second key nobody sees). The
                # others retry as the AWS SDKs' standard mode does (three attempts, backoff of a
                # second or two), not botocore's legacy five.
                retries = {"total_max_attempts": 1} if once else {"mode": "standard"}
                config = botocore.config.Config(retries=retries)
                self._clients[key] = self._session.client(
                    "lightsail", region_name=region or None, endpoint_url=self._endpoint_url, config=config
                )
            return self._clients[key]

    def endpoint(self, region):
        """Where a region's calls go."""
        return self._client(region).meta.endpoint_url

    def functions(self):
        """`(WIT name, host function)` for each function of the import."""
        functions = [
            ("default-region", lambda store: self.default_region),
            ("default-tags", lambda store: self._default_tags),
        ]
        for name, op in _OPERATIONS.items():
            functions.append((name, self._function(op)))
        return functions

    def _function(self, op):
        """The host function of one operation: a WIT `result`, as wasmtime-py takes it (tagged with
        `Variant('ok', ...)` only when both its cases are records)."""

        def function(store, region, *args):
            try:
                request = _request(op.members, args)
                out = getattr(self._client(region, once=op.once), op.method)(**request)
                value = op.answer(out, request)
            except ApiError as e:
                error = e.record
            except Exception as e:  # noqa: BLE001: every boto3 failure becomes an api-error
                error = api_error(e, self.endpoint(region)).record
            else:
                return Variant("ok", value) if op.record else value
            return Variant("err", error) if op.record else error

        return function
