"""Transport tests: pure batch framing, local, and SSH against a real sshd."""
