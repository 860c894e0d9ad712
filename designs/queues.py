"""Plan precedence in the job queue: premium designs run before free ones that were waiting longer.

Dramatiq's Redis broker has no message priority (`broker_priority` is a RabbitMQ option), and its actor
`priority` only orders messages a worker process has already fetched: with prefetching, a premium design
submitted behind a backlog waits for the free designs fetched before it, and a busy process can hoard a
premium design while another process's idle thread takes a free one. So designs go to one of two queues,
GPU_QUEUES, highest first, and the workers consume them through `_GpuConsumer`, which

- fetches a design only when the process has a worker thread free for it (no prefetch: a design never waits
  in a busy process while another could start it), and
- fetches from a lower queue only while every higher queue is empty in Redis.

An idle thread anywhere therefore takes the oldest premium design before any free one. Within a queue the
order stays first in, first out. Retries, delays and the reaper's resends keep the queue of the design's plan.
"""
from __future__ import annotations

import threading
import time

import dramatiq
import redis
from django.conf import settings
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message
from dramatiq.middleware import Middleware

PRIORITY_QUEUE = "gpu-priority"
QUEUE = "gpu"
GPU_QUEUES = (PRIORITY_QUEUE, QUEUE)  # highest first


def queue_for(priority: int) -> str:
    """The queue for a plan's queue_priority (0–9)."""
    return PRIORITY_QUEUE if priority >= settings.PRIORITY_QUEUE_MIN_PRIORITY else QUEUE


# The actors of each queue, declared in designs/actors.py. Sent by name: this module imports no actor, so code
# that sends a job (the submit, the reaper, a project's waiting design, an upscale) never imports the worker it
# wakes, and no import cycle runs back through the queue.
DESIGN_ACTORS = {PRIORITY_QUEUE: "process_design_priority", QUEUE: "process_design"}
UPSCALE_ACTORS = {PRIORITY_QUEUE: "process_upscale_priority", QUEUE: "process_upscale"}


def design_send(design_id, *, priority: int, delay_ms: int | None = None) -> None:
    """Send a design's job to its plan's queue: every enqueue of a design goes through here."""
    gpu_send(DESIGN_ACTORS, design_id, priority=priority, delay_ms=delay_ms)


def gpu_send(actors: dict[str, str], object_id, *, priority: int, delay_ms: int | None = None) -> None:
    """What actor.send_with_options does, for the actor of the plan's queue named in `actors`."""
    queue = queue_for(priority)
    message = Message(queue_name=queue, actor_name=actors[queue], args=(str(object_id),), kwargs={}, options={})
    dramatiq.get_broker().enqueue(message, delay=delay_ms or None)


class _GpuSlots:
    """A worker process's design threads: how many GPU-queue messages it holds (fetched, not yet acked)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.threads: int | None = None  # known once a worker boots in this process
        self.held = 0

    def take(self, wanted: int) -> int:
        with self._lock:
            free = wanted if self.threads is None else min(wanted, self.threads - self.held)
            free = max(0, free)
            self.held += free
            return free

    def give_back(self, count: int) -> None:
        with self._lock:
            self.held = max(0, self.held - count)


class _SlotsMiddleware(Middleware):
    """Learns the worker's thread count at boot; frees a slot when a GPU message is acked or dead-lettered
    (whatever ended it: success, retry scheduled, failure, skip), whichever consumer instance fetched it."""

    def __init__(self, slots: _GpuSlots) -> None:
        self.slots = slots

    def before_worker_boot(self, broker, worker) -> None:
        self.slots.threads = worker.worker_threads
        self.slots.held = 0  # a worker started again in the same process (tests) starts with nothing fetched

    def after_ack(self, broker, message) -> None:
        if message.queue_name in GPU_QUEUES:
            self.slots.give_back(1)

    after_nack = after_ack


class PriorityRedisBroker(RedisBroker):
    """The Redis broker, consuming the GPU queues in order of precedence (see the module docstring)."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.gpu_slots = _GpuSlots()
        self.add_middleware(_SlotsMiddleware(self.gpu_slots))

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000):
        if queue_name in GPU_QUEUES:
            return _GpuConsumer(self, queue_name, prefetch, timeout)
        return super().consume(queue_name, prefetch, timeout)

    def higher_queues_waiting(self, queue_name: str) -> bool:
        higher = GPU_QUEUES[:GPU_QUEUES.index(queue_name)]
        if not higher:
            return False
        with self.client.pipeline(transaction=False) as pipe:
            for name in higher:
                pipe.llen(f"{self.namespace}:{name}")
            return any(pipe.execute())


class _GpuConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, fetching only for a free thread and only when no higher queue waits."""

    def __next__(self):
        try:
            while True:
                if self.message_cache:
                    message = Message.decode(self.message_cache[0])
                    self.queued_message_ids.add(message.message_id)
                    self.message_cache.pop(0)
                    self.misses = 0
                    return MessageProxy(message)
                if not self._fetch():
                    self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                    time.sleep(backoff_ms / 1000)
                    return None
        except redis.ConnectionError as error:
            raise ConnectionClosed(error) from None

    def _fetch(self) -> bool:
        slots = self.broker.gpu_slots
        taken = slots.take(max(0, self.prefetch - self.outstanding_message_count))
        if not taken:
            return False
        fetched = []
        try:
            if not self.broker.higher_queues_waiting(self.queue_name):
                fetched = [data for data in self.broker.do_fetch(self.queue_name, taken) if data is not None]
        finally:
            slots.give_back(taken - len(fetched))
        self.message_cache = fetched
        return bool(fetched)

    def close(self) -> None:
        # Dramatiq closes a consumer after a connection error and starts a new one: fetched messages never handed
        # to a thread go with it (the reaper sends their designs again), and so must the slots they held.
        self.broker.gpu_slots.give_back(len(self.message_cache))
        self.message_cache = []
        super().close()

    def requeue(self, messages) -> None:
        # Shutdown hands fetched, unstarted messages back to Redis: they no longer hold a thread here.
        messages = list(messages)
        super().requeue(messages)
        self.broker.gpu_slots.give_back(len(messages))
