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
      - The provider component chooses and deletes it holding the bucket's lock, so a key another task
        makes meanwhile is never the one; in check mode it only reads which key would go.
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

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e

TOKEN = "aws:lightsail/bucketAccessKey:BucketAccessKey"


def main():
    module = e.module_of(
        dict(
            bucket_name=dict(type="str", required=True),
            id=dict(type="str", aliases=["access_key_id"]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            rotate_keys=dict(type="bool", default=False),
            key_creators_share_lock=dict(type="bool", default=False),
        ),
        required_if=[("state", "absent", ["id"])],
        mutually_exclusive=[["id", "rotate_keys"]],
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
        # The component makes room (the oldest key goes when the bucket is full) under the bucket's
        # lock; in check mode it only reads which key that would be.
        created = provider.rotate(TOKEN, inputs, preview=module.check_mode)
        if created["deleted"]:
            result["deleted_access_key_id"] = created["deleted"].split(",", 1)[-1].split("@", 1)[0]
    else:
        created = provider.create(TOKEN, inputs, preview=module.check_mode)
    values = created["outputs"]["values"]
    result.update(id=created["id"], access_key_id=values.get("accessKeyId"), access_key=shown(values))
    if values.get("secretAccessKey"):
        result["secret_access_key"] = values["secretAccessKey"]
    result["diff"] = dict(before={}, after=shown(values))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
