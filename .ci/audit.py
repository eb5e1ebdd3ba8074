"""Check the dependencies for known vulnerabilities (RELIABILITY.md R33).

pip-audit looks up every version pinned in requirements.txt, and every package
installed in the virtualenv (the pins' own dependencies), in PyPI's
vulnerability data, or OSV's when PyPI cannot answer. A known vulnerability
fails the run. When neither service can be reached (offline, or a PyPI mirror
without the per-version JSON API) it warns and passes: the check did not run,
which is not the same as a clean result.
"""

import json
import subprocess
import sys

SERVICES = ("pypi", "osv")
TARGETS = {
    "requirements.txt": ["-r", "requirements.txt", "--no-deps", "--disable-pip"],
    "the installed packages": ["--local"],
}


def audit(args, service):
    """The dependencies pip-audit reports, or None if it could audit none of them."""
    command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "-f", "json"]
    result = subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [*command, "-s", service, *args], capture_output=True, text=True, timeout=600
    )
    try:
        dependencies = json.loads(result.stdout)["dependencies"]
    except (ValueError, KeyError, TypeError):
        return None
    if all("skip_reason" in dependency for dependency in dependencies):
        return None
    return dependencies


def main():
    failed = False
    for target, args in TARGETS.items():
        for service in SERVICES:
            dependencies = audit(args, service)
            if dependencies is not None:
                break
        else:
            print(f"WARNING: {target} could not be checked for known vulnerabilities: "
                  f"no vulnerability service ({', '.join(SERVICES)}) answered.")  # fmt: skip
            continue
        found = [d for d in dependencies if d.get("vulns")]
        skipped = [d["name"] for d in dependencies if "skip_reason" in d]
        audited = len(dependencies) - len(skipped)
        print(f"{target}: {audited} packages checked against {service}, "
              f"{len(found)} with known vulnerabilities")  # fmt: skip
        if skipped:
            print(f"  not checked: {', '.join(sorted(skipped))}")
        for dependency in found:
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                print(f"  {dependency['name']} {dependency['version']}: {vuln['id']} "
                      f"(fixed in {fixed})")  # fmt: skip
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
