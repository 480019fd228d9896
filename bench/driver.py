"""The load: N simulated calls at once, each walking the line with a caller's pauses between steps.

A closed loop: every simulated caller places a call, walks it, and places the next one,
so N calls are always in progress. Between two requests a caller waits a think time
(uniform, 5-15 s by default: the prompts take that long to hear), so the offered rate is
about N / mean think time requests a second.

Each request is signed as Twilio signs it, opens a new connection and closes it after the
answer (Twilio's webhooks are separate HTTPS requests), and its latency is measured with
a monotonic clock from before the connection to the last byte of the answer. The HTTP
client is a few lines over asyncio streams rather than a client library, so that the
driver, which shares the machine with the server, takes as little of it as it can.
"""

from __future__ import annotations

import asyncio
import random
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from bench.walk import EXPECTED_STATUS, WALK, call_form, next_url, step_form

#: Twilio gives up on a webhook after 15 seconds.
REQUEST_TIMEOUT = 15.0


class WalkBroke(RuntimeError):
    """The server's answers do not let a caller take the walk (a bug, or the wrong server)."""


class BadResponse(Exception):
    """The server's bytes are not an HTTP response."""


@dataclass(frozen=True)
class Load:
    """The shape of one level of load."""

    calls: int
    warmup: float
    duration: float
    think: tuple[float, float]
    seed: int = 0

    @property
    def offered_rate(self) -> float:
        """Requests a second the callers offer (think time dominates each step)."""
        return self.calls / (sum(self.think) / 2)


@dataclass
class Sample:
    webhook: str
    latency: float
    ok: bool
    #: The caller spoke (the understanding worked on the words).
    spoken: bool = False


@dataclass
class Outcome:
    """What one level measured, client side."""

    load: Load
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    calls_completed: int = 0
    #: The measurement window, in time.monotonic() seconds.
    start: float = 0.0
    end: float = 0.0

    @property
    def window(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    latency: float
    problem: str | None = None


class Client:
    """Signed form POSTs, one connection each, as Twilio sends its webhooks."""

    def __init__(self, token: str) -> None:
        self.validator = RequestValidator(token)

    async def post(self, url: str, form: dict[str, str]) -> Answer:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = urlencode(form).encode()
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: TwilioProxy/1.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"X-Twilio-Signature: {self.validator.compute_signature(url, form)}\r\nConnection: close\r\n\r\n"
        )
        started = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                try:
                    writer.write(head.encode() + body)
                    response = await reader.read()
                finally:
                    writer.close()
            latency = time.perf_counter() - started
            status, content = _parse(response)
            return Answer(status, content, latency)
        except TimeoutError:
            return Answer(0, b"", time.perf_counter() - started, "timed out")
        except (OSError, BadResponse) as error:
            return Answer(0, b"", time.perf_counter() - started, type(error).__name__)


def _parse(response: bytes) -> tuple[int, bytes]:
    """Status and body of a whole HTTP/1.1 response (the server closed the connection after it)."""
    head, separator, body = response.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    fields = lines[0].split(b" ", 2)
    if not separator or len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
        raise BadResponse("not an HTTP response")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and len(body) != int(value):
            raise BadResponse("the body is cut short")
    return int(fields[1]), body


class _Run:
    def __init__(self, base: str, client: Client, load: Load, follow: bool) -> None:
        self.base = base
        self.client = client
        self.load = load
        self.follow = follow
        self.outcome = Outcome(load)
        #: Callers waiting for an answer: at the end they are waited for, the others stopped.
        self.in_request: set[asyncio.Task[None] | None] = set()
        now = time.monotonic()
        self.measure_from = now + load.warmup
        self.measure_until = self.measure_from + load.duration

    def measuring(self, started: float) -> bool:
        return self.measure_from <= started < self.measure_until

    async def caller(self, rng: random.Random, entries: list[str]) -> None:
        """Calls one after another; the first joins a call already under way, at a random step.

        So the mix of webhooks is the steady state's from the start, without a burst of
        greetings: ``entries`` are the URLs a real walk took, step by step.
        """
        first = rng.randrange(len(WALK))
        await asyncio.sleep(rng.uniform(0, self.load.think[1]))
        await self.call(rng, first, entries[first])
        while time.monotonic() < self.measure_until:
            await asyncio.sleep(rng.uniform(*self.load.think))
            await self.call(rng)

    async def call(self, rng: random.Random, first: int = 0, entry: str | None = None) -> None:
        form = call_form(rng)
        previous: ET.Element | None = None
        for index, step in enumerate(WALK[first:], start=first):
            if index > first:
                await asyncio.sleep(rng.uniform(*self.load.think))
            started = time.monotonic()
            if started >= self.measure_until:
                return
            url = entry if index == first and entry else next_url(step, self.base, previous, self.follow)
            if url is None:
                self.error(started, f"{step.webhook}: the previous answer had no <{step.follows}>")
                return
            answer = await self.post(url, {**form, **step_form(step, rng)})
            ok = answer.problem is None and answer.status == EXPECTED_STATUS[step.webhook]
            if self.measuring(started):
                self.outcome.samples.append(Sample(step.webhook, answer.latency, ok, step.spoken))
            if not ok:
                self.error(started, f"{step.webhook}: {answer.problem or f'HTTP {answer.status}'}")
                return
            if answer.body:
                try:
                    previous = ET.fromstring(answer.body)
                except ET.ParseError:
                    self.error(started, f"{step.webhook}: the answer is not XML")
                    return
        if self.measuring(time.monotonic()):
            self.outcome.calls_completed += 1

    async def post(self, url: str, form: dict[str, str]) -> Answer:
        task = asyncio.current_task()
        self.in_request.add(task)
        try:
            return await self.client.post(url, form)
        finally:
            self.in_request.discard(task)

    def error(self, started: float, what: str) -> None:
        if self.measuring(started):
            self.outcome.errors[what] += 1


async def walk_once(client: Client, base: str, *, follow: bool) -> list[str]:
    """Walk one call without pauses: the URL of each step, and proof that the walk works."""
    rng = random.Random("walk")
    form = call_form(rng)
    previous: ET.Element | None = None
    urls = []
    for step in WALK:
        url = next_url(step, base, previous, follow)
        if url is None:
            raise WalkBroke(f"step {step.what!r}: the answer before it had no <{step.follows}>")
        urls.append(url)
        answer = await client.post(url, {**form, **step_form(step, rng)})
        if answer.status != EXPECTED_STATUS[step.webhook]:
            raise WalkBroke(f"step {step.what!r}: {answer.problem or f'HTTP {answer.status}'} from {url}")
        previous = ET.fromstring(answer.body) if answer.body else None
    return urls


async def drive(base: str, token: str, load: Load, *, follow: bool) -> Outcome:
    """Run ``load`` against the server at ``base``; ``follow``: take URLs from the TwiML answers."""
    client = Client(token)
    entries = await walk_once(client, base, follow=follow)
    run = _Run(base, client, load, follow)
    rngs = [random.Random(f"{load.seed}-{index}") for index in range(load.calls)]
    tasks = [asyncio.create_task(run.caller(rng, entries)) for rng in rngs]
    await asyncio.sleep(run.measure_until - time.monotonic())
    # Requests started in the window are waited for; callers thinking are stopped.
    deadline = time.monotonic() + REQUEST_TIMEOUT + 1
    while run.in_request and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, Exception):
            raise result
    run.outcome.start, run.outcome.end = run.measure_from, run.measure_until
    return run.outcome
