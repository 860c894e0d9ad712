"""What the Dramatiq broker holds: each queue's depth, read for /metrics and the staff operations page."""
from __future__ import annotations

import time

QUEUES = ("gpu-priority", "gpu", "default")  # designs.queues.GPU_QUEUES, then the reaper's


def queue_depths() -> dict[str, dict]:
    """Per queue: messages ready, delayed, dead-lettered, and the age in seconds of the oldest ready one (None when
    empty), straight from the Redis broker's keys (see dramatiq/brokers/redis/dispatch.lua for their layout).
    """
    import dramatiq
    from dramatiq.message import Message

    broker = dramatiq.get_broker()
    with broker.client.pipeline(transaction=False) as pipe:
        for queue in QUEUES:
            pipe.llen(f"{broker.namespace}:{queue}")
            pipe.llen(f"{broker.namespace}:{queue}.DQ")
            pipe.zcard(f"{broker.namespace}:{queue}.XQ")
            pipe.lindex(f"{broker.namespace}:{queue}", 0)  # the queue pops from the left: the oldest
        replies = pipe.execute()
    depths = {}
    for index, queue in enumerate(QUEUES):
        ready, delayed, dead, head = replies[index * 4:index * 4 + 4]
        data = broker.client.hget(f"{broker.namespace}:{queue}.msgs", head) if head else None
        age = max(0.0, time.time() - Message.decode(data).message_timestamp / 1000) if data else None
        depths[queue] = {"ready": ready, "delayed": delayed, "dead": dead, "oldest_seconds": age}
    return depths
