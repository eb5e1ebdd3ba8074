"""Count what the portal holds against what the emulator holds: lost, duplicated, finished."""

import time
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header

FINAL_TUNE = {"trained", "failed", "deleted", "expired"}
FINAL_PROMPT = {"done", "failed"}


def local_state():
    from prompts.models import GeneratedImage, Prompt
    from tunes.models import Tune

    return {
        "tunes": Counter(Tune.objects.values_list("status", flat=True)),
        "prompts": Counter(Prompt.objects.values_list("status", flat=True)),
        "images_expected": sum(
            Prompt.objects.filter(status="done").values_list("num_images", flat=True)
        ),
        "images_stored": GeneratedImage.objects.exclude(file="").count(),
    }


def settled(state):
    tunes_open = sum(n for status, n in state["tunes"].items() if status not in FINAL_TUNE)
    prompts_open = sum(n for status, n in state["prompts"].items() if status not in FINAL_PROMPT)
    return (
        not tunes_open and not prompts_open and state["images_stored"] >= state["images_expected"]
    )


def wait_until_settled(limit, every=5, say=print):
    started = time.monotonic()
    last = None
    while time.monotonic() - started < limit:
        state = local_state()
        if settled(state):
            return state, time.monotonic() - started
        summary = _summary(state)
        if summary != last:
            say(f"  … {time.monotonic() - started:5.0f} s: {summary}")
            last = summary
        time.sleep(every)
    return local_state(), None


def _summary(state):
    tunes = ", ".join(f"{n} {s}" for s, n in sorted(state["tunes"].items()))
    prompts = ", ".join(f"{n} {s}" for s, n in sorted(state["prompts"].items()))
    return f"tunes: {tunes or 'none'}; prompts: {prompts or 'none'}; images {state['images_stored']}/{state['images_expected']}"  # noqa: E501


def mails(folder):
    """Subjects of every notice the portal wrote to its file backend; the account
    e-mails (sign-up verification: "[SITE_NAME] ...") are left out."""
    subjects = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                subject = str(make_header(decode_header(message_from_bytes(chunk)["Subject"])))
                if not subject.startswith("["):
                    subjects.append(subject)
    return subjects


def reconcile_counts(stack, expected_tunes, expected_prompts):
    """Compare the portal with the emulator; return (figures, problems)."""
    from prompts.models import Prompt
    from tunes.models import Tune

    remote_tunes = stack.remote("/tunes")
    remote_prompts = stack.remote("/prompts")
    titles = Counter(tune["title"] for tune in remote_tunes)
    callbacks = Counter(prompt["callback"] for prompt in remote_prompts)
    local_titles = {str(t) for t in Tune.objects.values_list("title", flat=True)}
    figures = {
        "tunes created by users": expected_tunes,
        "tunes in the portal": Tune.objects.count(),
        "tunes trained": Tune.objects.filter(status="trained").count(),
        "tunes on Astria": len(remote_tunes),
        "prompts created by users": expected_prompts,
        "prompts in the portal": Prompt.objects.count(),
        "prompts done": Prompt.objects.filter(status="done").count(),
        "prompts on Astria": len(remote_prompts),
    }
    problems = []
    if figures["tunes in the portal"] != expected_tunes:
        problems.append(f"{expected_tunes - figures['tunes in the portal']} tunes lost")
    if figures["tunes trained"] != expected_tunes:
        problems.append(f"{expected_tunes - figures['tunes trained']} tunes not trained")
    duplicated = sum(n - 1 for n in titles.values() if n > 1)
    if duplicated:
        problems.append(f"{duplicated} duplicate tunes on Astria")
    strangers = set(titles) - local_titles
    if strangers:
        problems.append(f"{len(strangers)} tunes on Astria the portal does not know")
    if figures["prompts in the portal"] != expected_prompts:
        problems.append(f"{expected_prompts - figures['prompts in the portal']} prompts lost")
    if figures["prompts done"] != expected_prompts:
        problems.append(f"{expected_prompts - figures['prompts done']} prompts not done")
    duplicated = sum(n - 1 for n in callbacks.values() if n > 1)
    if duplicated:
        problems.append(f"{duplicated} duplicate prompts on Astria")
    if len(remote_prompts) - duplicated != expected_prompts:
        problems.append(f"{len(remote_prompts)} prompts on Astria for {expected_prompts}")
    return figures, problems
