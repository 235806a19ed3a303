"""pgpKey through the Python host (pysequoia): refuses each key of BAD_KEYS (a JSON array of
[pgpKey, rule]) naming pgpKey with no call to AWS, then creates a key of BUCKET encrypted to
PGP_KEY and prints its id and outputs as one JSON line, for the calling test (tests/python_host.rs)
to open with gpg. It passes ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and PROVIDER_WASM too."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from test_contract import KEY, calls, direct, load  # noqa: E402

import lightsail_wasm  # noqa: E402

bucket = os.environ["BUCKET"]
provider = load()
direct().create_bucket(bucketName=bucket, bundleId="small_1_0")

before = sum(calls().values())
for pgp_key, rule in json.loads(os.environ["BAD_KEYS"]):
    failures = provider.check(KEY, {"bucketName": bucket, "pgpKey": pgp_key})["failures"]
    assert len(failures) == 1 and failures[0]["property"] == "pgpKey", failures
    assert rule in failures[0]["reason"], (rule, failures[0]["reason"])
    try:
        provider.create(KEY, {"bucketName": bucket, "pgpKey": pgp_key})
        raise AssertionError(f"{rule}: created")
    except lightsail_wasm.ProviderError as error:
        assert error.kind == "invalid-input", error
assert sum(calls().values()) == before, "no bad key reached the endpoint"

print(json.dumps(provider.create(KEY, {"bucketName": bucket, "pgpKey": os.environ["PGP_KEY"]})))
