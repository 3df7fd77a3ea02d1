"""The supervisor: a crashed component is restarted and reported; shutdown goes stage by stage."""

from __future__ import annotations

import asyncio
import random
import threading

from bot.app.supervisor import Supervisor
from bot.jobs.components import ThreadComponent


class FlakyComponent:
    """Raises on its first ``crashes`` runs, then serves until stopped."""

    stop_order = 0

    def __init__(self, name="flaky", crashes=1):
        self.name = name
        self.crashes = crashes
        self.runs = 0
        self.serving = asyncio.Event()
        self._stop = asyncio.Event()

    async def run(self):
        self.runs += 1
        if self.runs <= self.crashes:
            raise RuntimeError(f"boom {self.runs}")
        self.serving.set()
        await self._stop.wait()

    def stop(self):
        self._stop.set()


def supervisor(components, restarts=None):
    return Supervisor(components, on_restart=(restarts.append if restarts is not None else lambda name: None),
                      backoff_base_s=0.01, backoff_cap_s=0.05, rng=random.Random(1))


def test_a_component_that_crashes_once_is_restarted_and_reported():
    async def scenario():
        component, restarts = FlakyComponent(), []
        sup = supervisor([component], restarts)
        sup.start()
        await asyncio.wait_for(component.serving.wait(), 5)
        health = sup.health()
        unfinished = await sup.stop(5)
        return component, restarts, health, unfinished

    component, restarts, health, unfinished = asyncio.run(scenario())
    assert component.runs == 2
    assert restarts == ["flaky"]
    assert health == {"flaky": {"up": True, "last_error": "RuntimeError: boom 1", "restarts": 1}}
    assert unfinished == []


def test_returning_without_being_asked_counts_as_a_crash():
    class Quitter(FlakyComponent):
        async def run(self):
            self.runs += 1
            if self.runs == 1:
                return
            await super().run()

    async def scenario():
        component = Quitter(crashes=0)
        sup = supervisor([component])
        sup.start()
        await asyncio.wait_for(component.serving.wait(), 5)
        health = sup.health()
        await sup.stop(5)
        return health

    assert asyncio.run(scenario())["flaky"]["last_error"] == "returned without being asked to stop"


def test_a_crash_in_a_thread_component_is_restarted_too():
    class FlakyThread(ThreadComponent):
        name = "worker"

        def __init__(self):
            self.runs = 0
            self.stopping = threading.Event()
            self.serving = threading.Event()

        def run_blocking(self):
            self.runs += 1
            if self.runs == 1:
                raise ValueError("bad row")
            self.serving.set()
            self.stopping.wait()

        def stop(self):
            self.stopping.set()

    async def scenario():
        component = FlakyThread()
        sup = supervisor([component])
        sup.start()
        await asyncio.to_thread(component.serving.wait, 5)
        health = sup.health()
        unfinished = await sup.stop(5)
        return component, health, unfinished

    component, health, unfinished = asyncio.run(scenario())
    assert component.runs == 2 and unfinished == []
    assert health["worker"] == {"up": True, "last_error": "ValueError: bad row", "restarts": 1}


def test_a_component_that_keeps_crashing_shows_down_with_its_error():
    async def scenario():
        component = FlakyComponent(crashes=10**6)
        sup = supervisor([component])
        sup.start()
        while component.runs < 3:
            await asyncio.sleep(0.01)
        health = sup.health()
        await sup.stop(5)
        return health

    health = asyncio.run(scenario())["flaky"]
    assert health["up"] is False and health["restarts"] >= 2 and health["last_error"].startswith("RuntimeError: boom")


def test_stop_goes_in_stop_order_and_waits_for_each_stage():
    events = []

    class Recorder(FlakyComponent):
        def __init__(self, name, order):
            super().__init__(name, crashes=0)
            self.stop_order = order

        async def run(self):
            await super().run()
            await asyncio.sleep(0.01)  # some in-flight work after being asked to stop
            events.append(f"{self.name} finished")

        def stop(self):
            events.append(f"{self.name} asked")
            super().stop()

    async def scenario():
        components = [Recorder("http", 3), Recorder("outbox", 2), Recorder("smtp", 0), Recorder("intake", 1)]
        sup = supervisor(components)
        sup.start()
        for component in components:
            await asyncio.wait_for(component.serving.wait(), 5)
        return await sup.stop(5)

    assert asyncio.run(scenario()) == []
    assert events == ["smtp asked", "smtp finished", "intake asked", "intake finished",
                      "outbox asked", "outbox finished", "http asked", "http finished"]


def test_stop_gives_up_at_the_deadline_and_names_what_is_still_busy():
    class Stubborn(FlakyComponent):
        def stop(self):
            pass  # never finishes

    async def scenario():
        component = Stubborn(crashes=0)
        sup = supervisor([component])
        sup.start()
        await asyncio.wait_for(component.serving.wait(), 5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        unfinished = await sup.stop(0.2)
        return unfinished, loop.time() - started

    unfinished, took = asyncio.run(scenario())
    assert unfinished == ["flaky"] and took < 1.0
