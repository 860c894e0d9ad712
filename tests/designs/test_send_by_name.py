"""Designs and upscales are sent by their actor's name (designs/queues.py imports no actor): each name is an
actor a worker declares on the queue it is sent to, so the job is run, not dead-lettered as unknown."""
from __future__ import annotations

import dramatiq
import pytest
from django.conf import settings

import designs.actors  # noqa: F401  declares the actors on the broker, as a worker does
from designs.queues import DESIGN_ACTORS, GPU_QUEUES, UPSCALE_ACTORS, design_send
from designs.upscales import upscale_send

ID = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def _sent(broker, queue: str) -> list[tuple[str, tuple]]:
    ids = broker.client.lrange(f"{broker.namespace}:{queue}", 0, -1)
    bodies = [dramatiq.Message.decode(broker.client.hget(f"{broker.namespace}:{queue}.msgs", i)) for i in ids]
    return [(message.actor_name, tuple(message.args)) for message in bodies]


@pytest.mark.parametrize("send, actors", [(design_send, DESIGN_ACTORS), (upscale_send, UPSCALE_ACTORS)],
                         ids=["design", "upscale"])
def test_it_sends_each_queue_to_an_actor_declared_on_it(broker, send, actors):
    send(ID, priority=settings.PRIORITY_QUEUE_MIN_PRIORITY)
    send(ID, priority=0)

    for queue in GPU_QUEUES:
        assert _sent(broker, queue) == [(actors[queue], (ID,))]
        assert broker.get_actor(actors[queue]).queue_name == queue
