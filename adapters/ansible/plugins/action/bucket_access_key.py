# Apache-2.0
"""Runs the bucket_access_key module and, when its result holds a secret, hides the task's output
as `no_log` does: a module cannot mark a return value no_log, an action plugin can (as
include_vars does). A registered variable still holds the secret."""

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(task_vars=task_vars))
        if result.get("secret_access_key"):
            result["_ansible_no_log"] = True
        return result
