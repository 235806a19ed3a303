#!/usr/bin/python
# Apache-2.0
"""The bucket module: its rules are the provider component's; this file maps Ansible to them."""

DOCUMENTATION = r"""
module: bucket
short_description: Manage a Lightsail object storage bucket
version_added: 0.1.0
description:
  - Creates, changes in place (bundle, tags) and deletes a Lightsail bucket, by name.
  - Every rule (names, bundles, tags, regions) is the provider component's, the same WebAssembly
    component the Terraform and Pulumi providers run.
  - In check mode only reads are sent; nothing is created, changed or deleted.
options:
  name:
    description: The bucket's name, 3 to 54 lowercase letters, digits and hyphens, unique across AWS.
    type: str
    required: true
  bundle_id:
    description: The bundle (storage plan), such as C(small_1_0) or C(medium_1_0). Required to create. Changes in place.
    type: str
  tags:
    description:
      - The bucket's own tags, at most 50, keys of 1 to 128 characters not starting with C(aws:), values of at most 256.
      - They replace the bucket's tags; changes in place.
    type: dict
  force_delete:
    description: Delete the bucket even when it still has access keys or objects.
    type: bool
    default: false
  state:
    description: Whether the bucket exists.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment: [lightsail_wasm.lightsail.connection]
author: lightsail-wasm developers
"""

EXAMPLES = r"""
- name: A bucket
  lightsail_wasm.lightsail.bucket:
    name: example-bucket
    bundle_id: small_1_0
    tags:
      team: web

- name: Gone, with its keys and objects
  lightsail_wasm.lightsail.bucket:
    name: example-bucket
    state: absent
    force_delete: true
"""

RETURN = r"""
bucket:
  description: The bucket, as the provider reports it (absent after a delete).
  returned: when state is present
  type: dict
  contains:
    name: {description: The name., type: str}
    arn: {description: The ARN., type: str}
    bundle_id: {description: The bundle., type: str}
    region: {description: The region., type: str}
    url: {description: The bucket's URL., type: str}
    tags: {description: Its own tags., type: dict}
    tags_all: {description: Every tag it carries., type: dict}
    created_at: {description: RFC 3339 time it was created., type: str}
    support_code: {description: The code AWS support asks for., type: str}
    availability_zone: {description: The availability zone., type: str}
    force_delete: {description: Whether a delete forces., type: bool}
"""

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e

TOKEN = "aws:lightsail/bucket:Bucket"


def main():
    module = e.module_of(
        dict(
            name=dict(type="str", required=True),
            bundle_id=dict(type="str"),
            tags=dict(type="dict"),
            force_delete=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    provider = e.provider(module)
    try:
        run(module, provider, p)
    except e.lightsail_wasm.ProviderError as error:
        e.fail(module, error)


def run(module, provider, p):
    news = {"name": p["name"], "bundleId": p["bundle_id"], "tags": p["tags"], "forceDelete": p["force_delete"], "region": p["region"]}
    news = {k: v for k, v in news.items() if v is not None}
    # Bad input fails before any request. A failure of an option the task left out (the bundle of
    # a bucket that exists) waits for the read, which fills it in from the bucket.
    given = [f for f in provider.check(TOKEN, news, None)["failures"] if not f["property"] or f["property"] in news]
    if given:
        e.fail(module, e.lightsail_wasm.ProviderError("invalid-input", given))
    bucket_id = e.resource_id(p["name"], p["region"])
    if p["state"] == "absent":
        found = provider.read(TOKEN, bucket_id)
        if found is None:
            module.exit_json(changed=False)
        if not module.check_mode:
            provider.delete(TOKEN, bucket_id, dict(found["outputs"]["values"], forceDelete=p["force_delete"]))
        module.exit_json(changed=True, diff=dict(before=e.snake_keys(found["outputs"]["values"]), after={}))

    found = provider.read(TOKEN, bucket_id)
    if found is None:
        inputs = e.checked(module, provider, TOKEN, news)
        created = provider.create(TOKEN, inputs, preview=module.check_mode)
        after = e.snake_keys(created["outputs"]["values"])
        module.exit_json(changed=True, bucket=after, diff=dict(before={}, after=after))

    olds = found["outputs"]["values"]
    # What the task leaves out stays as it is (the bundle, the tags), as Ansible modules do.
    news = dict({"bundleId": olds.get("bundleId"), "tags": olds.get("tags") or {}}, **news)
    inputs = e.checked(module, provider, TOKEN, news, olds)
    diff = provider.diff(TOKEN, found["id"], olds, inputs)
    if not diff["changes"]:
        module.exit_json(changed=False, bucket=e.snake_keys(olds))
    if diff["replaces"]:
        module.fail_json(msg="cannot change in place: " + ", ".join(e.snake(r) for r in diff["replaces"]))
    updated = provider.update(TOKEN, found["id"], olds, inputs, preview=module.check_mode)
    after = e.snake_keys(updated["values"])
    module.exit_json(changed=True, bucket=after, diff=dict(before=e.snake_keys(olds), after=after))


if __name__ == "__main__":
    main()
