#!/usr/bin/python
# Apache-2.0
"""The bucket access key module: its rules are the provider component's; this file maps Ansible to
them, with amazon.aws.iam_access_key's conventions."""

DOCUMENTATION = r"""
module: bucket_access_key
short_description: Manage an access key of a Lightsail bucket
version_added: 0.1.0
description:
  - Creates, reads and deletes access keys of a Lightsail bucket, with the conventions of
    M(amazon.aws.iam_access_key) (C(id) names a key; without it, C(state=present) creates one).
  - The secret is returned once, when the key is created, and the task's output is hidden as with
    C(no_log) (a registered variable still holds it).
  - Every rule (bucket names, regions, the two-key limit, what a lost answer leaves behind) is the
    provider component's, the same WebAssembly component the Terraform and Pulumi providers run.
  - In check mode a new key is previewed with no request at all; an existing one is only read.
options:
  bucket_name:
    description: The bucket the key grants access to, 3 to 54 lowercase letters, digits and hyphens.
    type: str
    required: true
  id:
    description:
      - The access key id. With C(state=present) the key is read; with C(state=absent) it is deleted.
      - Without it, C(state=present) creates a key.
    type: str
    aliases: [access_key_id]
  state:
    description: Whether the key exists.
    type: str
    choices: [present, absent]
    default: present
  rotate_keys:
    description:
      - When the bucket already holds two keys (Lightsail's limit), delete the oldest before creating one.
    type: bool
    default: false
  key_creators_share_lock:
    description:
      - Declares that every creator of this bucket's keys, on any machine, takes this provider's locks
        (the same lock directory). Then a key that appears while a create's answer is lost is deleted as
        that create's orphan; without it such a key is reported, never deleted.
    type: bool
    default: false
extends_documentation_fragment: [lightsail_wasm.lightsail.connection]
author: lightsail-wasm developers
"""

EXAMPLES = r"""
- name: A key for the bucket (the secret is in the registered variable only)
  lightsail_wasm.lightsail.bucket_access_key:
    bucket_name: example-bucket
  register: key

- name: A new key, making room by deleting the oldest when the bucket has two
  lightsail_wasm.lightsail.bucket_access_key:
    bucket_name: example-bucket
    rotate_keys: true

- name: Gone
  lightsail_wasm.lightsail.bucket_access_key:
    bucket_name: example-bucket
    id: "{{ key.access_key_id }}"
    state: absent
"""

RETURN = r"""
access_key_id:
  description: The key's id.
  returned: when state is present
  type: str
  sample: AKIAIOSFODNN7EXAMPLE
secret_access_key:
  description: The secret access key. AWS returns it only when the key is created.
  returned: when a key is created
  type: str
id:
  description: The key's id as Terraform writes it (C(BUCKET,ACCESS_KEY_ID)).
  returned: when state is present
  type: str
access_key:
  description: The key, as the provider reports it (without its secret).
  returned: when state is present
  type: dict
  contains:
    access_key_id: {description: The id., type: str}
    bucket_name: {description: The bucket., type: str}
    region: {description: The region., type: str}
    status: {description: Active or Inactive., type: str}
    created_at: {description: RFC 3339 time it was created., type: str}
deleted_access_key_id:
  description: With rotate_keys, the key deleted to make room.
  returned: when a key was rotated out
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e

TOKEN = "aws:lightsail/bucketAccessKey:BucketAccessKey"
# Lightsail's limit of keys per bucket, for rotate_keys (the component refuses a third key itself).
KEYS_PER_BUCKET = 2


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bucket_name=dict(type="str", required=True),
            id=dict(type="str", aliases=["access_key_id"]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            rotate_keys=dict(type="bool", default=False),
            key_creators_share_lock=dict(type="bool", default=False),
            **e.CONNECTION_OPTIONS,
        ),
        required_if=[("state", "absent", ["id"])],
        mutually_exclusive=[("id", "rotate_keys")],
        supports_check_mode=True,
    )
    p = module.params
    provider = e.provider(module, key_creators_share_lock=p["key_creators_share_lock"])
    try:
        run(module, provider, p)
    except e.lightsail_wasm.ProviderError as error:
        extra = {}
        if error.kind == "not-ready":
            # The key exists: say which, so that it can be recorded or deleted.
            extra = dict(id=error.payload["id"], access_key_id=error.payload["id"].split(",", 1)[-1])
        e.fail(module, error, **extra)


def shown(outputs):
    """The key as the task shows it: never its secret."""
    values = e.snake_keys(outputs)
    values.pop("secret_access_key", None)
    return values


def run(module, provider, p):
    inputs = {"bucketName": p["bucket_name"]}
    if p["region"]:
        inputs["region"] = p["region"]
    inputs = e.checked(module, provider, TOKEN, inputs)

    if p["id"] is not None:
        key_id = e.resource_id(f"{p['bucket_name']},{p['id']}", p["region"])
        found = provider.read(TOKEN, key_id)
        if p["state"] == "absent":
            if found is None:
                module.exit_json(changed=False)
            if not module.check_mode:
                provider.delete(TOKEN, key_id, found["outputs"]["values"])
            module.exit_json(changed=True, diff=dict(before=shown(found["outputs"]["values"]), after={}))
        if found is None:
            module.fail_json(msg=f"bucket {p['bucket_name']} has no access key {p['id']}", option="id")
        values = found["outputs"]["values"]
        module.exit_json(changed=False, id=found["id"], access_key_id=values["accessKeyId"], access_key=shown(values))

    result = dict(changed=True)
    if p["rotate_keys"]:
        oldest = oldest_key_when_full(module, p)
        if oldest is not None:
            result["deleted_access_key_id"] = oldest
            if not module.check_mode:
                provider.delete(TOKEN, e.resource_id(f"{p['bucket_name']},{oldest}", p["region"]), {})
    created = provider.create(TOKEN, inputs, preview=module.check_mode)
    values = created["outputs"]["values"]
    result.update(id=created["id"], access_key_id=values.get("accessKeyId"), access_key=shown(values))
    if values.get("secretAccessKey"):
        result["secret_access_key"] = values["secretAccessKey"]
    result["diff"] = dict(before={}, after=shown(values))
    module.exit_json(**result)


def oldest_key_when_full(module, p):
    """The oldest key's id when the bucket holds as many keys as it may (a listing, which no export
    of the component offers), else None."""
    import boto3

    client = boto3.Session(profile_name=p["profile"], region_name=p["region"]).client(
        "lightsail", endpoint_url=p["endpoint_url"]
    )
    try:
        keys = client.get_bucket_access_keys(bucketName=p["bucket_name"]).get("accessKeys", [])
    except Exception as error:  # noqa: BLE001: reported as the component would
        module.fail_json(msg=f"cannot list the keys of bucket {p['bucket_name']}: {error}")
    if len(keys) < KEYS_PER_BUCKET:
        return None
    return min(keys, key=lambda k: k["createdAt"])["accessKeyId"]


if __name__ == "__main__":
    main()
