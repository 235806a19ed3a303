"""The Python host's conformance driver: runs the probe component (PROBE_WASM) on the imports of
`adapters/python` and answers each request line on stdin with one line on stdout, the probe's
answer or `{"trap": ...}`. The runner (tests/conformance.rs) names the endpoint and the host's
settings in the environment. CONFORMANCE_BREAK breaks the host on purpose, to show that the
suite catches it: `create-twice` lets boto3 retry a create, `lost-as-not-sent` answers a lost
create as never sent."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "adapters", "python"))

import boto3  # noqa: E402

import lightsail_wasm  # noqa: E402
from lightsail_wasm import _lightsail  # noqa: E402


def broken(how):
    if how == "create-twice":
        plain = _lightsail.Lightsail._client
        _lightsail.Lightsail._client = lambda self, region, once=False: plain(self, region, False)
    elif how == "lost-as-not-sent":
        plain = _lightsail.api_error

        def api_error(error, endpoint):
            answer = plain(error, endpoint)
            if answer.record.kind == "transport":
                return _lightsail.ApiError("not-sent", answer.record.code, answer.record.message, retryable=False)
            return answer

        _lightsail.api_error = api_error


class Probe(lightsail_wasm.Provider):
    """The host's Provider with the probe's export in place of the provider's."""

    _EXPORT = "probe"

    def call(self, request):
        return self._call("call", request)


def main():
    broken(os.environ.get("CONFORMANCE_BREAK"))
    session = boto3.Session(
        aws_access_key_id=os.environ["ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["SECRET_ACCESS_KEY"],
        region_name=os.environ["AWS_REGION"],
    )
    with open(os.environ["PROBE_WASM"], "rb") as f:
        wasm = f.read()
    probe = lightsail_wasm.load(
        wasm,
        session=session,
        endpoint_url=os.environ["ENDPOINT_URL"],
        default_tags=json.loads(os.environ["DEFAULT_TAGS"]),
        lock_directory=os.environ["LOCK_DIRECTORY"],
        cache_directory=None,  # the kit checks the imports; a cache would only leave files behind
        provider_class=Probe,
    )
    for line in sys.stdin:
        try:
            answer = probe.call(line.strip())
        except Exception as e:  # noqa: BLE001: a trap is an answer here
            answer = json.dumps({"trap": str(e).splitlines()[0] if str(e) else type(e).__name__})
        print(answer, flush=True)


main()
