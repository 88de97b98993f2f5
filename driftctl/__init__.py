"""driftctl: find and repair drift between the environments of a docker-compose deployment."""

__version__ = "0.1.0"
