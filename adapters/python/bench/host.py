"""The Python host against boto3 alone, same endpoint, same run, interleaved so that drift hits both
alike. Prints Markdown rows, as the JS host's bench does:

- a read through the component (one provider, one reused instance) against the same
  `get_bucket_access_keys` call made with boto3 directly: medians of 900 each, taking turns; and
  its breakdown, as the JS host's bench gives it: the host's import function alone (boto3 through
  the host's client, the answer mapped to the WIT's records; no wasm) against boto3 directly, the
  read with its import answered from memory back to back, and that read's CPU after the thread
  idled 1 ms (as a read idles waiting for the network) against back to back;
- a create/read/delete lifecycle through the component against the four calls it makes, made with
  boto3 directly: medians of 300 each, taking turns;
- a new process's first answer: `import boto3` and that call, against `import lightsail_wasm`, a
  provider with the compiled component from its cache, and a read; and the same without the cache
  (the component compiled in the process). Medians of 9 processes each.

Run by `cargo run --release --example bench -- python`, which starts the endpoint and passes
ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and PROVIDER_WASM; the interpreter is the venv that
has adapters/python/requirements.txt."""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import boto3  # noqa: E402

import lightsail_wasm  # noqa: E402

KEY = "aws:lightsail/bucketAccessKey:BucketAccessKey"
BUCKET = "py-bench"
ENDPOINT = os.environ["ENDPOINT_URL"]
ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID=os.environ["ACCESS_KEY_ID"],
    AWS_SECRET_ACCESS_KEY=os.environ["SECRET_ACCESS_KEY"],
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE="/dev/null",
    AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    AWS_EC2_METADATA_DISABLED="true",
)

BOTO3_PROCESS = f"""
import time; start = time.perf_counter()
import boto3
boto3.Session().client("lightsail", endpoint_url={ENDPOINT!r}).get_bucket_access_keys(bucketName={BUCKET!r})
print(time.perf_counter() - start)
"""
HOST_PROCESS = f"""
import time; start = time.perf_counter()
import sys; sys.path.insert(0, {os.path.join(HERE, "..")!r})
import lightsail_wasm
cache = sys.argv[1] or None
provider = lightsail_wasm.load(sys.argv[2], endpoint_url={ENDPOINT!r}, lock_directory=None, cache_directory=cache)
provider.read({KEY!r}, sys.argv[3])
print(time.perf_counter() - start)
"""


def row(what, measured, baseline, baseline_what):
    print(f"| {what} | {measured * 1e3:.3f} ms | {baseline_what} | {baseline * 1e3:.3f} ms | {measured / baseline:.2f}x |")


def interleaved(host, boto, n):
    """Medians of the time one call of `host` and one of `boto` take, `n` each, the two taking
    turns call by call (as the other hosts' benches do) so that the machine's load hits both alike,
    after a sixth of that each not counted."""
    for _ in range(n // 6):
        host()
        boto()
    hosts, boto3s = [], []
    for _ in range(n):
        for side, times in ((boto, boto3s), (host, hosts)):
            start = time.perf_counter()
            side()
            times.append(time.perf_counter() - start)
    return statistics.median(hosts), statistics.median(boto3s)


def cpu_per_call(call, n=2000):
    """This thread's CPU time per call of `call`, repeated on its own after a warm-up."""
    for _ in range(n // 6):
        call()
    started = time.thread_time()
    for _ in range(n):
        call()
    return (time.thread_time() - started) / n


class AnsweredFromMemory:
    """The host's `lightsail` functions, but `get-bucket-access-keys` answers `answer` at once."""

    def __init__(self, lightsail, answer):
        self._lightsail, self._answer = lightsail, answer

    def functions(self):
        return [
            (name, (lambda store, region, bucket: self._answer) if name == "get-bucket-access-keys" else function)
            for name, function in self._lightsail.functions()
        ]


def process(code, *args):
    out = subprocess.run([sys.executable, "-c", code, *args], env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    session = boto3.Session(
        aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    direct = session.client("lightsail", endpoint_url=ENDPOINT)
    direct.create_bucket(bucketName=BUCKET, bundleId="small_1_0")
    wasm = os.environ["PROVIDER_WASM"]
    provider = lightsail_wasm.load(
        wasm, session=session, endpoint_url=ENDPOINT, lock_directory=None, cache_directory=None
    )
    key = provider.create(KEY, {"bucketName": BUCKET})

    def host():
        provider.read(KEY, key["id"], key["outputs"]["values"])

    def boto():
        direct.get_bucket_access_keys(bucketName=BUCKET)

    read, direct_read = interleaved(host, boto, 900)
    row("read via the Python host (median of 900, taking turns)", read, direct_read, "boto3 get_bucket_access_keys")

    lightsail = lightsail_wasm.Lightsail(session, ENDPOINT)
    import_function = dict(lightsail.functions())["get-bucket-access-keys"]

    def host_import():
        return import_function(None, None, BUCKET)

    row("- its import function alone (boto3 through the host's client, mapped to the WIT's records; no wasm)",
        *interleaved(host_import, boto, 900), "boto3 directly")
    with open(wasm, "rb") as f:
        offline = lightsail_wasm.Provider(
            f.read(), AnsweredFromMemory(lightsail, host_import()), lightsail_wasm.Locks(None, False), lambda level, message: None
        )

    def in_memory():
        offline.read(KEY, key["id"], key["outputs"]["values"])

    back_to_back = cpu_per_call(in_memory)
    row("- the read, its import answered from memory, back to back: CPU", back_to_back, direct_read,
        "boto3's read (above)")

    def idle_then_in_memory():
        time.sleep(0.001)
        in_memory()

    cold = cpu_per_call(idle_then_in_memory, 600) - cpu_per_call(lambda: time.sleep(0.001), 600)
    row("- the same read after the thread idled 1 ms (as a read idles waiting for the network): CPU", cold,
        back_to_back, "back to back")

    def host_lifecycle():
        created = provider.create(KEY, {"bucketName": BUCKET})
        provider.read(KEY, created["id"], created["outputs"]["values"])
        provider.delete(KEY, created["id"], created["outputs"]["values"])

    def boto_lifecycle():
        # The calls a lifecycle makes: list (the create's check of the bucket's keys), create,
        # list (the read), delete.
        direct.get_bucket_access_keys(bucketName=BUCKET)
        created = direct.create_bucket_access_key(bucketName=BUCKET)
        direct.get_bucket_access_keys(bucketName=BUCKET)
        direct.delete_bucket_access_key(bucketName=BUCKET, accessKeyId=created["accessKey"]["accessKeyId"])

    row("create/read/delete lifecycle via the Python host (median of 300, taking turns)",
        *interleaved(host_lifecycle, boto_lifecycle, 300), "the same four calls with boto3")

    with tempfile.TemporaryDirectory() as parent:
        cache = os.path.join(parent, "cache")
        process(HOST_PROCESS, cache, wasm, key["id"])  # fills the cache
        runs = {"boto3": [], "cached": [], "compiled": []}
        for _ in range(9):
            runs["boto3"].append(process(BOTO3_PROCESS))
            runs["cached"].append(process(HOST_PROCESS, cache, wasm, key["id"]))
            runs["compiled"].append(process(HOST_PROCESS, "", wasm, key["id"]))
    boto3_start = statistics.median(runs["boto3"])
    row("new Python process to its first read, compiled component cached", statistics.median(runs["cached"]),
        boto3_start, "`import boto3` and the call")
    row("new Python process to its first read, no cache (compiled)", statistics.median(runs["compiled"]),
        boto3_start, "`import boto3` and the call")
    provider.delete(KEY, key["id"], key["outputs"]["values"])


main()
