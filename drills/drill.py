"""One drill run: a stack, a few people, their tunes and prompts, and the final count."""

from concurrent.futures import ThreadPoolExecutor

from drills import tally
from drills.portal import Person

PROMPT_TEXTS = ["a corporate headshot of a woman", "a woman hiking at golden hour"]


class Drill:
    """One run: a stack, a few people, their tunes and prompts, and the final count."""

    def __init__(self, stack, people, tunes_each, prompts_each):
        self.stack = stack
        self.people = [Person(stack.web_urls, f"drill{i}") for i in range(people)]
        self.tunes_each = tunes_each
        self.prompts_each = prompts_each
        self.tune_codes = []
        self.prompts = 0

    def sign_up(self):
        for person in self.people:
            person.sign_up(self.stack.mail_dir)

    def create_tunes(self, round_=0):
        def one(args):
            person, n = args
            return person.create_tune(f"{person.username} {round_}-{n}", seed=n)

        jobs = [(p, n) for p in self.people for n in range(self.tunes_each)]
        with ThreadPoolExecutor(len(self.people)) as pool:
            codes = list(pool.map(one, jobs))
        refused = codes.count(None)
        if refused:
            raise SystemExit(f"FAILED: the portal refused {refused} tune forms")
        self.tune_codes += [(person, code) for (person, _), code in zip(jobs, codes, strict=True)]
        say(f"  {len(codes)} tunes created through the web form")

    def create_prompts(self):
        def one(args):
            person, code, text = args
            return person.create_prompt(code, text)

        jobs = [
            (person, code, PROMPT_TEXTS[i % len(PROMPT_TEXTS)])
            for person, code in self.tune_codes
            for i in range(self.prompts_each)
        ]
        with ThreadPoolExecutor(len(self.people)) as pool:
            accepted = list(pool.map(one, jobs))
        if not all(accepted):
            raise SystemExit(f"FAILED: the portal refused {accepted.count(False)} prompt forms")
        self.prompts += len(jobs)
        say(f"  {len(jobs)} prompts created through the tune pages")

    def finish(self, limit):
        state, seconds = tally.wait_until_settled(limit, say=say)
        if seconds is None:
            say(f"  not settled after {limit} s")
        else:
            say(f"  everything settled {seconds:.0f} s after the last action")
        self.stack.control("DELETE", "faults")  # the counting itself must not be faulted
        figures, problems = tally.reconcile_counts(self.stack, len(self.tune_codes), self.prompts)
        figures["images stored"] = f"{state['images_stored']} of {state['images_expected']}"
        if state["images_stored"] < state["images_expected"]:
            problems.append("images missing")
        return figures, problems


def say(text):
    print(text, flush=True)


def wait_for_trained(drill, limit):
    state, seconds = tally.wait_until_settled(limit, say=say)
    if seconds is None:
        raise SystemExit(f"FAILED: tunes not settled after {limit} s: {dict(state['tunes'])}")
