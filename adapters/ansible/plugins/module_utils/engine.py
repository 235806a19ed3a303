"""What both modules share: the provider component loaded with the module's connection options,
Ansible's names for the component's (camelCase) properties, and its failures as `fail_json`. No
resource rule lives here: validation, diffs, previews and lost answers are the component's."""

import base64
import re

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

try:
    import boto3
    import wasmtime  # noqa: F401 (the host's runtime: imported here so that its absence is named)

    IMPORT_ERROR = None
except ImportError as e:
    IMPORT_ERROR = e

# The Python host and the component are laid in by build.sh. A collection packed without them (a
# plain `ansible-galaxy collection build`) must say so, not blame the libraries above.
try:
    from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import lightsail_wasm
    from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils.component import WASM_BASE64

    BUILD_ERROR = None
except ImportError as e:
    BUILD_ERROR = e

BUILT_WITHOUT_COMPONENT = (
    "this build of lightsail_wasm.lightsail has no provider component: it was packed without build.sh, "
    "which lays in the component and its Python host. Install a release's collection tarball, or build "
    "one with `cargo run -p dist` (docs/distribution.md), and install it with `ansible-galaxy collection install`"
)

# The options of every module: where the calls go and as whom, spelled as amazon.aws spells them
# (its aliases too). boto3 reads the rest of its usual configuration, and AWS_ENDPOINT_URL, itself.
CONNECTION_OPTIONS = dict(
    region=dict(type="str", aliases=["aws_region", "ec2_region"], fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
    profile=dict(type="str", aliases=["aws_profile"]),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url", "ec2_url"]),
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key", "ec2_access_key"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key", "ec2_secret_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token", "security_token", "aws_security_token"], no_log=True),
)

# As amazon.aws: a profile names the credentials, or the task gives them, not both.
CONNECTION_EXCLUSIVE = [["profile", "access_key"], ["profile", "secret_key"], ["profile", "session_token"]]
CONNECTION_TOGETHER = [["access_key", "secret_key"]]


def snake(name):
    """An Ansible option name for a component property (`bucketName` -> `bucket_name`)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def snake_keys(values):
    """A property bag with Ansible's names (nested objects too, but not tag keys)."""
    if not isinstance(values, dict):
        return values
    return {snake(k): (v if k in ("tags", "tagsAll") else snake_keys(v)) for k, v in values.items()}


def component(module):
    """The component's bytes, or `fail_json` saying what is missing."""
    if IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("wasmtime and boto3"), exception=str(IMPORT_ERROR))
    if BUILD_ERROR is not None:
        module.fail_json(msg=BUILT_WITHOUT_COMPONENT, exception=str(BUILD_ERROR))
    return base64.b64decode("".join(WASM_BASE64))


def component_digest(module):
    """`sha256:HEX` of the component the modules run."""
    return lightsail_wasm.component_digest(component(module))


def provider(module, key_creators_share_lock=False):
    """The component, loaded once per module run, with this module's connection options."""
    wasm = component(module)
    p = module.params
    # Every call the component makes goes through this session: the task's credentials or profile.
    session = boto3.Session(
        aws_access_key_id=p["access_key"],
        aws_secret_access_key=p["secret_key"],
        aws_session_token=p["session_token"],
        profile_name=p["profile"],
        region_name=p["region"],
    )
    return lightsail_wasm.load(
        wasm,
        session=session,
        endpoint_url=p["endpoint_url"],
        key_creators_share_lock=key_creators_share_lock,
        log=lambda level, message: module.debug(f"component {level}: {message}"),
    )


def fail(module, error, **extra):
    """A component failure as `fail_json`, naming options as Ansible spells them."""
    if error.kind == "invalid-input":
        reasons = [f"{snake(f['property'])}: {f['reason']}" if f["property"] else f["reason"] for f in error.payload]
        module.fail_json(msg="; ".join(reasons), failures=[dict(f, option=snake(f["property"])) for f in error.payload], **extra)
    if error.kind == "api":
        payload = error.payload
        msg = f"AWS error {payload['code']}: {payload['message']}"
        hint = payload.get("hint")
        if hint:
            # The component's hint in the task's terms: the option, and its value (JSON reads as YAML).
            msg = f"{msg.rstrip('.')}; set {snake(hint['property'])}: {hint['value']} in the task to allow it"
        module.fail_json(msg=msg, error=payload, **extra)
    module.fail_json(msg=str(error), **extra)


def checked(module, engine, token, news, olds=None):
    """The component's normalized inputs, or `fail_json` naming each option that breaks a rule."""
    result = engine.check(token, news, olds)
    if result["failures"]:
        fail(module, lightsail_wasm.ProviderError("invalid-input", result["failures"]))
    return result["inputs"]


def module_of(argument_spec, **kwargs):
    """An AnsibleModule with the connection options and their rules, in check mode as well."""
    return AnsibleModule(
        argument_spec=dict(argument_spec, **CONNECTION_OPTIONS),
        mutually_exclusive=CONNECTION_EXCLUSIVE + kwargs.pop("mutually_exclusive", []),
        required_together=CONNECTION_TOGETHER,
        supports_check_mode=True,
        **kwargs,
    )


def listed(provider, token, query):
    """Every item of the component's `list`, with Ansible's names (no item holds a secret)."""
    items = []
    for item in provider.list_all(token, query):
        # What a resource does not have (a secret, a pgp key) is left out, as amazon.aws's info modules do.
        values = {k: v for k, v in snake_keys(item["outputs"]["values"]).items() if v is not None}
        items.append(dict(values, id=item["id"]))
    return items


def resource_id(name, region):
    """An id the component reads in `region` (the WIT: `@REGION` names it)."""
    return f"{name}@{region}" if region else name
