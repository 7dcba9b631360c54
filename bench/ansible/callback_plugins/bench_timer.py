# Records when the playbook started and ended (inside ansible-playbook, after Python start-up and
# module imports) and the recap counters, as JSON in the file named by BENCH_ANSIBLE_OUT.
import json
import os
import time

from ansible.plugins.callback import CallbackBase

LOADED_AT = time.time()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.started = None
        self.tasks = 0

    def v2_playbook_on_start(self, playbook):
        self.started = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks += 1

    def v2_playbook_on_stats(self, stats):
        ended = time.time()
        hosts = sorted(stats.processed.keys())
        out = {
            "loadedAt": LOADED_AT,
            "startedAt": self.started,
            "endedAt": ended,
            "runMs": (ended - (self.started or ended)) * 1000,
            "tasks": self.tasks,
            "hosts": {h: stats.summarize(h) for h in hosts},
        }
        path = os.environ.get("BENCH_ANSIBLE_OUT")
        if path:
            with open(path, "w") as f:
                json.dump(out, f)
