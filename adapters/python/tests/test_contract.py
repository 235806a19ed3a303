"""The Python host's contract tests, the other hosts' own: the lifecycle, not-ready, an unknown
type, regions, and one instance reused for 10,000 calls with flat memory. The calling test
(tests/python_host.rs) starts a local endpoint and names it, and the component, in ENDPOINT_URL,
ACCESS_KEY_ID, SECRET_ACCESS_KEY and PROVIDER_WASM."""

import copy
import ctypes
import functools
import json
import os
import sys
import tempfile
import threading
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import boto3  # noqa: E402

import lightsail_wasm  # noqa: E402
import wasmtime  # noqa: E402
import wasmtime.component._types as wasmtime_types  # noqa: E402
from wasmtime import _ffi as ffi  # noqa: E402
from wasmtime.component import Record, Variant  # noqa: E402
from lightsail_wasm import ProviderError, _values  # noqa: E402

KEY = "aws:lightsail/bucketAccessKey:BucketAccessKey"
BUCKET = "aws:lightsail/bucket:Bucket"
ENDPOINT = os.environ["ENDPOINT_URL"]


def session(region="us-east-1"):
    return boto3.Session(
        aws_access_key_id=os.environ["ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["SECRET_ACCESS_KEY"],
        region_name=region,
    )


def direct(region="us-east-1"):
    return session(region).client("lightsail", endpoint_url=ENDPOINT)


def control(path, body=None):
    request = urllib.request.Request(f"{ENDPOINT}/_lightsail-local/{path}", method="GET" if body is None else "PUT")
    if body is not None:
        request.data = json.dumps(body).encode()
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")


def calls():
    return control("stats")["calls"]


def load(**options):
    with open(os.environ["PROVIDER_WASM"], "rb") as f:
        wasm = f.read()
    options.setdefault("lock_directory", LOCKS.name)
    options.setdefault("cache_directory", None)
    return lightsail_wasm.load(wasm, session=session(), endpoint_url=ENDPOINT, **options)


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


LOCKS = tempfile.TemporaryDirectory()


class Contract(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.provider = load()

    def test_lifecycle_of_a_key_through_one_instance(self):
        p = self.provider
        direct().create_bucket(bucketName="py-bucket", bundleId="small_1_0")
        self.assertEqual(sorted(p.resource_types()), sorted([BUCKET, KEY]))

        # Invalid input and an unknown type are refused, with no call to AWS.
        before = sum(calls().values())
        creates = calls().get("CreateBucketAccessKey", 0)
        checked = p.check(KEY, {"bucketName": "Bad_Name"})
        self.assertEqual(checked["failures"][0]["property"], "bucketName")
        with self.assertRaises(ProviderError) as refused:
            p.create(KEY, {"bucketName": "Bad_Name"})
        self.assertEqual(refused.exception.kind, "invalid-input")
        self.assertIn("bucketName: ", str(refused.exception))
        with self.assertRaises(ProviderError) as unknown:
            p.read("aws:nothing/here:Thing", "x")
        self.assertEqual(unknown.exception.kind, "unknown-type")
        self.assertEqual(sum(calls().values()), before, "nothing reached the endpoint")

        # A preview sends nothing; a create sends one CreateBucketAccessKey.
        preview = p.create(KEY, {"bucketName": "py-bucket"}, preview=True)
        self.assertEqual(preview["id"], "")
        self.assertEqual(sum(calls().values()), before)
        created = p.create(KEY, {"bucketName": "py-bucket"})
        self.assertRegex(created["id"], r"^py-bucket,AKIA")
        values = created["outputs"]["values"]
        self.assertEqual(len(values["secretAccessKey"]), 40)
        self.assertEqual(created["outputs"]["secrets"], ["secretAccessKey"])
        read = p.read(KEY, created["id"], values)
        self.assertEqual(read["outputs"]["values"]["secretAccessKey"], values["secretAccessKey"])

        for id in (created["id"], created["id"] + "@us-east-1"):
            imported = p.import_(KEY, id)
            self.assertEqual(imported["inputs"], {"bucketName": "py-bucket", "region": "us-east-1"})
            self.assertIsNone(imported["outputs"]["values"]["secretAccessKey"])

        # Deleted out of band: read as gone. Deleting twice is fine.
        direct().delete_bucket_access_key(bucketName="py-bucket", accessKeyId=values["accessKeyId"])
        self.assertIsNone(p.read(KEY, created["id"], values))
        p.delete(KEY, created["id"], values)
        p.delete(KEY, created["id"], values)
        self.assertEqual(calls()["CreateBucketAccessKey"], creates + 1, "the create was sent once")

    def test_list_pages_keys_with_no_secret_and_rotate_makes_room(self):
        p = self.provider
        direct().create_bucket(bucketName="py-listed", bundleId="small_1_0")
        first = p.create(KEY, {"bucketName": "py-listed"})
        second = p.create(KEY, {"bucketName": "py-listed"})
        page = p.list(KEY, {"bucketName": "py-listed"}, page_size=1)
        self.assertEqual(len(page["items"]), 1)
        self.assertIsNotNone(page["continuation"])
        rest = p.list(KEY, {"bucketName": "py-listed"}, page_size=1, continuation=page["continuation"])
        self.assertIsNone(rest["continuation"])
        # A count outside its WIT type is refused before the component is called, by name.
        with self.assertRaises(ValueError) as refused:
            p.list(KEY, {"bucketName": "py-listed"}, page_size=-1)
        self.assertEqual(str(refused.exception), "page_size: -1 is outside the range of a u32, 0 to 4294967295")
        ids = [item["id"] for item in page["items"] + rest["items"]]
        self.assertEqual(ids, [first["id"], second["id"]])
        for item in page["items"] + rest["items"]:
            self.assertIsNone(item["outputs"]["values"]["secretAccessKey"])
            self.assertEqual(item["outputs"]["secrets"], [])
        self.assertEqual([item["id"] for item in p.list_all(KEY, {"bucketName": "py-listed"})], ids)
        with self.assertRaises(ProviderError) as refused:
            p.list(KEY, {"colour": "red"})
        self.assertEqual(refused.exception.kind, "invalid-input")

        deletes = calls().get("DeleteBucketAccessKey", 0)
        preview = p.rotate(KEY, {"bucketName": "py-listed"}, preview=True)
        self.assertEqual(preview["deleted"], first["id"])
        self.assertEqual(calls().get("DeleteBucketAccessKey", 0), deletes, "a preview deletes nothing")
        rotated = p.rotate(KEY, {"bucketName": "py-listed"}, replace=second["id"])
        self.assertEqual(rotated["deleted"], second["id"])
        left = [item["id"] for item in p.list_all(KEY, {"bucketName": "py-listed"})]
        self.assertEqual(left, [first["id"], rotated["id"]])

    def test_a_key_whose_operation_failed_is_not_ready_with_its_id(self):
        direct().create_bucket(bucketName="py-not-ready", bundleId="small_1_0")
        control("faults", {"script": [{"operation": "CreateBucketAccessKey", "fault": "operation_failed"}]})
        try:
            with self.assertRaises(ProviderError) as failed:
                self.provider.create(KEY, {"bucketName": "py-not-ready"})
        finally:
            control("faults", {})
        error = failed.exception
        self.assertEqual(error.kind, "not-ready")
        key_id = direct().get_bucket_access_keys(bucketName="py-not-ready")["accessKeys"][0]["accessKeyId"]
        self.assertEqual(error.payload["id"], f"py-not-ready,{key_id}", "the engine can record the key")
        values = json.loads(error.payload["outputs"]["values"])
        self.assertEqual(len(values["secretAccessKey"]), 40, "and its secret")
        self.provider.delete(KEY, error.payload["id"], values)

    def test_a_lost_create_answered_by_the_wits_letter_loses_no_key(self):
        """The issue 39 case: the first create applied, its answer lost and reported as the WIT
        says (transport) but not retryable, the lock declared shared: the component looks for the
        key the attempt made and deletes it, and says so; no key is left that nobody was told of."""
        from lightsail_wasm import _lightsail

        plain = _lightsail.api_error

        def not_retryable(error, endpoint):
            answer = plain(error, endpoint)
            if answer.record.kind == "transport":
                answer.record.retryable = False
            return answer

        direct().create_bucket(bucketName="py-letter", bundleId="small_1_0")
        control("faults", {"script": [{"operation": "CreateBucketAccessKey", "fault": "lost_response"}]})
        _lightsail.api_error = not_retryable
        try:
            with self.assertRaises(ProviderError) as lost:
                load(key_creators_share_lock=True).create(KEY, {"bucketName": "py-letter"})
        finally:
            _lightsail.api_error = plain
            control("faults", {})
        error = lost.exception
        self.assertEqual((error.kind, error.payload["kind"], error.payload["retryable"]), ("api", "transport", False))
        self.assertIn("the keys these attempts left behind were deleted: AKIA", error.payload["message"])
        self.assertEqual(direct().get_bucket_access_keys(bucketName="py-letter")["accessKeys"], [])

    def test_a_lock_table_entry_goes_with_its_last_user(self):
        locks = lightsail_wasm._locks.Locks(None)
        before = locks.entries()
        guard = locks.acquire("py/entries")
        self.assertEqual(locks.entries(), before + 1)
        guard.release()
        self.assertEqual(locks.entries(), before)

    def test_lock_file_names_follow_the_shared_vectors(self):
        path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conformance", "lock-file-names.json")
        with open(path) as f:
            for vector in json.load(f)["vectors"]:
                self.assertEqual(lightsail_wasm.lock_file_name(vector["name"]), vector["file"])

    def test_regions_in_inputs_and_in_ids(self):
        p = self.provider
        direct("eu-west-1").create_bucket(bucketName="py-dublin", bundleId="small_1_0")
        created = p.create(KEY, {"bucketName": "py-dublin", "region": "eu-west-1"})
        self.assertEqual(created["outputs"]["values"]["region"], "eu-west-1")
        self.assertFalse(created["id"].endswith("@eu-west-1"), "create returns ids without the region")
        # With no state, only the id names the region: without it the key reads as gone.
        self.assertIsNone(p.read(KEY, created["id"]))
        found = p.read(KEY, created["id"] + "@eu-west-1")
        self.assertEqual(found["outputs"]["values"]["region"], "eu-west-1")
        bucket = p.import_(BUCKET, "py-dublin@eu-west-1")
        self.assertEqual(bucket["inputs"]["region"], "eu-west-1")
        with self.assertRaises(ProviderError) as nowhere:
            p.create(KEY, {"bucketName": "py-dublin", "region": "xx-nowhere-1"})
        self.assertEqual(nowhere.exception.payload[0]["property"], "region")
        p.delete(KEY, created["id"] + "@eu-west-1")
        self.assertEqual(direct("eu-west-1").get_bucket_access_keys(bucketName="py-dublin")["accessKeys"], [])

    def test_bucket_tags_with_default_tags_change_in_place(self):
        p = load(default_tags={"env": "dev"})
        inputs = {"name": "py-tagged", "bundleId": "small_1_0", "tags": {"team": "web"}}
        created = p.create(BUCKET, inputs)
        self.assertEqual(created["outputs"]["values"]["tagsAll"], {"env": "dev", "team": "web"})
        news = dict(inputs, tags={"team": "api"}, bundleId="medium_1_0")
        diff = p.diff(BUCKET, created["id"], created["outputs"]["values"], news)
        self.assertTrue({"bundleId", "tags"} <= set(diff["diffs"]), diff)
        self.assertEqual(diff["replaces"], [])
        updated = p.update(BUCKET, created["id"], created["outputs"]["values"], news)
        self.assertEqual(updated["values"]["tagsAll"], {"env": "dev", "team": "api"})
        self.assertEqual(updated["values"]["bundleId"], "medium_1_0")
        p.delete(BUCKET, created["id"], updated["values"])
        self.assertIsNone(p.read(BUCKET, created["id"]))

    def test_a_reused_instance_stays_flat_over_10000_calls(self):
        p = load()

        def run(n):
            for i in range(n):
                p.check(KEY, {"bucketName": f"bucket-{i % 100}"})
                if i % 10 == 0:
                    p.schema()

        run(1000)
        first = resident_bytes()
        run(9000)
        grown = resident_bytes() - first
        # A leak of a few hundred bytes a call (an unreleased string, a heap that is not reset) is
        # megabytes here.
        self.assertLess(grown, 2 * 1024 * 1024, f"the process grew by {grown} bytes over 9,000 calls")

class TypesDerivedOnce(unittest.TestCase):
    """wasmtime-py derives a function's types anew on every call; the host derives them once
    (lightsail_wasm/_typecache.py) and answers as wasmtime-py's own path does."""

    def derivations(self, call):
        """How many value types wasmtime-py derives from the C API while `call` runs, and its answer."""
        count = [0]
        original = wasmtime_types.valtype_from_ptr

        def counted(ptr):
            count[0] += 1
            return original(ptr)

        wasmtime_types.valtype_from_ptr = counted
        try:
            answer = call()
        finally:
            wasmtime_types.valtype_from_ptr = original
        return count[0], answer

    def test_types_are_derived_once_and_answers_are_wasmtime_pys(self):
        self.assertTrue(lightsail_wasm._typecache.supported(), "the pinned wasmtime-py's layout changed")
        once = load()
        every_call = load(provider_class=functools.partial(lightsail_wasm.Provider, types_once=False))
        direct().create_bucket(bucketName="py-types", bundleId="small_1_0")
        key = once.create(KEY, {"bucketName": "py-types"})  # a lock's guard too: a resource, per call
        state = key["outputs"]["values"]
        read = functools.partial(once.read, KEY, key["id"], state)
        first = read()
        derived, again = self.derivations(read)
        self.assertEqual(derived, 0, "a second read derived types")
        self.assertEqual(again, first)
        derived, theirs = self.derivations(functools.partial(every_call.read, KEY, key["id"], state))
        self.assertGreater(derived, 0)
        self.assertEqual(theirs, first)
        self.assertEqual(first["outputs"]["values"]["secretAccessKey"], state["secretAccessKey"])
        query = {"bucketName": "py-types"}
        self.assertEqual(list(once.list_all(KEY, query)), list(every_call.list_all(KEY, query)))
        # An import's `err` and the export's: lowered and lifted the same way both ways.
        failures = []
        for provider in (once, every_call):
            with self.assertRaises(ProviderError) as raised:
                provider.create(KEY, {"bucketName": "py-types-none"})
            failures.append((raised.exception.kind, raised.exception.payload, str(raised.exception)))
        self.assertEqual(failures[0], failures[1])
        self.assertEqual(failures[0][0], "api")
        once.delete(KEY, key["id"], state)
        self.assertIsNone(every_call.read(KEY, key["id"], state))


def samples(ty):
    """Values of `ty` that reach each of its cases (at most four), as wasmtime-py represents them."""
    t = wasmtime_types
    scalars = {
        t.Bool: [True, False],
        t.S8: [-128, 7],
        t.U8: [0, 255],
        t.S16: [-32768, 7],
        t.U16: [0, 65535],
        t.S32: [-(2**31), 7],
        t.U32: [0, 2**32 - 1],
        t.S64: [-(2**63), 7],
        t.U64: [0, 2**64 - 1],
        t.F32: [0.5, -2.0],
        t.F64: [1733400000.25, -1e300],
        t.String: ["", "bucket-é ☃"],
        t.Char: ["x", "☃"],
    }
    if type(ty) in scalars:
        return scalars[type(ty)]
    if isinstance(ty, t.ListType):
        if ty._is_bytes():
            return [b"", bytes([0, 255, 1])]
        return [[], samples(ty.element)[:2]]
    if isinstance(ty, t.RecordType):
        columns = [(name, samples(field)) for name, field in ty.fields]
        records = []
        for i in range(max([len(values) for _, values in columns] + [1])):
            record = Record()
            for name, values in columns:
                setattr(record, name, values[i % len(values)])
            records.append(record)
        return records
    if isinstance(ty, t.TupleType):
        columns = [samples(element) for element in ty.elements]
        return [tuple(values[i % len(values)] for values in columns) for i in range(max(map(len, columns)))]
    if isinstance(ty, t.EnumType):
        return ty.names[:4]
    if isinstance(ty, t.VariantLikeType):
        values = []
        for name, payload in ty._cases():
            for value in [None] if payload is None else samples(payload)[:2]:
                values.append(Variant(name, value) if ty._tagged() else value)
        return values[:4]
    raise AssertionError(f"no samples for {ty}")


def as_dicts(value):
    """`value` with its records as dicts, wherever they are (as an export's result is lifted)."""
    if isinstance(value, list):
        return [as_dicts(v) for v in value]
    if isinstance(value, tuple):
        return tuple(as_dicts(v) for v in value)
    if isinstance(value, Variant):
        return Variant(value.tag, as_dicts(value.payload))
    if isinstance(value, Record):
        return {name: as_dicts(v) for name, v in vars(value).items()}
    return value


class ValuesConvertedInBulk(unittest.TestCase):
    """lightsail_wasm/_values.py converts each function's values whole, beside wasmtime-py's node
    by node: for every type of every function the component imports and exports, a value it
    lowers is what wasmtime-py lifts, and a value wasmtime-py lowers is what it lifts (with its
    records as dicts when lifted as an export's result is)."""

    def functions(self):
        """`{(interface, function): its derived type}`, interfaces named without their version."""
        engine = wasmtime.Engine()
        with open(os.environ["PROVIDER_WASM"], "rb") as f:
            component = wasmtime.component.Component(engine, f.read())
        functions = {}
        for items in (component.type.imports(engine), component.type.exports(engine)):
            for interface, item in items.items():
                instance = item.ty
                if isinstance(instance, wasmtime_types.ComponentInstanceType):
                    for name, func in instance.exports(engine).items():
                        func = func.ty
                        if isinstance(func, wasmtime_types.FuncType):
                            functions[interface.split("@")[0], name] = lightsail_wasm._typecache._FuncType(func)
        return functions

    def test_every_type_converts_as_wasmtime_py_converts_it(self):
        functions = self.functions()
        self.assertIn(("lightsail:provider/lightsail", "get-bucket-access-keys"), functions)
        self.assertIn(("lightsail:provider/resource-provider", "read"), functions)
        converted = 0
        for name, fty in functions.items():
            tys = [ty for _, ty in fty.params] + ([] if fty.result is None else [fty.result])
            if name == ("lightsail:provider/lock", "acquire"):  # its result holds a resource: wasmtime-py's path
                self.assertFalse(fty.bulk(), name)
                continue
            self.assertTrue(fty.bulk(), f"{name} is not converted in bulk")
            for ty in tys:
                lower, lift = _values.converters(ty)
                for value in samples(ty):
                    with self.subTest(function=name, value=repr(value)):
                        # wasmtime-py's lowered into Wasmtime's memory, ours lifted, freed whole.
                        theirs = _values._Val()
                        try:
                            ty.convert_to_c(None, value, ctypes.pointer(theirs))
                        except (TypeError, ValueError) as refused:
                            # An untagged result takes a value by its classes, and an `err` that
                            # has an `ok`'s classes is refused: ours refuses it alike.
                            with self.assertRaises(type(refused)):
                                _values.lower_owned(lower, value, ctypes.byref(_values._Val()))
                            continue
                        try:
                            self.assertEqual(_values.lift_value(lift, theirs), value)
                            self.assertEqual(_values.lift_value(lift, theirs, plain=True), as_dicts(value))
                        finally:
                            ffi.wasmtime_component_val_delete(ctypes.byref(theirs))
                        # Ours lowered, copied into Wasmtime's memory, lifted (and freed) by wasmtime-py.
                        owned = _values._Val()
                        _values.lower_owned(lower, value, ctypes.byref(owned))
                        self.assertEqual(ty.convert_from_c(owned), value)
                        converted += 1
        self.assertGreater(converted, 100)

    def test_a_value_larger_than_the_arena_is_written_whole(self):
        # Lowering writes into an arena of its thread, which grows when a value does not fit.
        answer = self.functions()[("lightsail:provider/lightsail", "get-bucket-access-keys")].result
        lower, lift = _values.converters(answer)
        keys = []
        for i in range(600):  # about 330 KiB lowered, twenty times the first arena's 16 KiB
            key = copy.copy(samples(answer._cases()[0][1].element)[i % 2])
            setattr(key, "access-key-id", f"AKIA{i:016d}" * 8)
            keys.append(key)
        lifted = []

        def convert():
            owned = _values._Val()
            _values.lower_owned(lower, keys, ctypes.byref(owned))
            lifted.append(answer.convert_from_c(owned))

        thread = threading.Thread(target=convert)  # an arena of its own, from its first size
        thread.start()
        thread.join()
        self.assertEqual(lifted, [keys])


class CompiledComponentCache(unittest.TestCase):
    """The compiled component kept for the next process, as the Rust host keeps it."""

    def setUp(self):
        self.parent = tempfile.TemporaryDirectory()
        self.directory = os.path.join(self.parent.name, "lightsail-provider")

    def tearDown(self):
        self.parent.cleanup()

    def entries(self):
        return [name for name in os.listdir(self.directory) if name.endswith(".cwasm")]

    def test_a_second_load_runs_the_compiled_component_from_the_cache(self):
        first = load(cache_directory=self.directory)
        self.assertEqual(first.component_source, "compiled")
        self.assertEqual(os.stat(self.directory).st_mode & 0o777, 0o700)
        [entry] = self.entries()
        self.assertEqual(os.stat(os.path.join(self.directory, entry)).st_mode & 0o777, 0o600)
        second = load(cache_directory=self.directory)
        self.assertEqual(second.component_source, "cache")
        self.assertEqual(second.check(KEY, {"bucketName": "example-bucket"})["failures"], [])

    def test_a_damaged_entry_is_compiled_again_and_replaced(self):
        load(cache_directory=self.directory)
        [entry] = self.entries()
        path = os.path.join(self.directory, entry)
        with open(path, "r+b") as f:
            f.seek(-1, os.SEEK_END)
            last = f.read(1)
            f.seek(-1, os.SEEK_END)
            f.write(bytes([last[0] ^ 0xFF]))
        with self.assertLogs("lightsail_wasm", "WARNING") as logged:
            self.assertEqual(load(cache_directory=self.directory).component_source, "compiled")
        self.assertIn("is damaged or not this component's", logged.output[0])
        self.assertEqual(load(cache_directory=self.directory).component_source, "cache")
        self.assertEqual(self.entries(), [entry])

    def test_a_directory_others_may_write_to_is_not_used(self):
        os.mkdir(self.directory)
        os.chmod(self.directory, 0o777)
        with self.assertLogs("lightsail_wasm", "WARNING") as logged:
            self.assertEqual(load(cache_directory=self.directory).component_source, "compiled")
        self.assertIn("others may write to it", logged.output[0])
        self.assertEqual(self.entries(), [])

    def test_without_a_directory_nothing_is_written(self):
        self.assertEqual(load(cache_directory=None).component_source, "compiled")
        self.assertFalse(os.path.exists(self.directory))


if __name__ == "__main__":
    unittest.main()
