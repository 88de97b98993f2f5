"""Alerts on change only: compare the new matrix with the last notified state, send one message per channel.

settings.py (the `notify:` section of environments.yaml), changes.py (pure: state and change set),
messages.py (pure: one message per channel kind, escaped and within its limits), deliver.py (HTTP
with timeouts and retries: the only I/O).
"""
