"""Runs parliament's analyser on each policy document read from stdin as JSON
[{"where": ..., "policy": {...}}, ...] and prints [{"where", "issue", "severity", "detail"}, ...].
Per policy from Python: parliament 1.6.4's --file needs a terminal and --directory mislabels files."""
import json
import sys

from parliament import analyze_policy_string

findings = []
for entry in json.load(sys.stdin):
    policy = analyze_policy_string(json.dumps(entry["policy"]), ignore_private_auditors=True)
    for finding in policy.findings:
        findings.append({"where": entry["where"], "issue": finding.issue, "severity": getattr(finding, "severity", None), "detail": str(finding.detail)})
json.dump(findings, sys.stdout)
