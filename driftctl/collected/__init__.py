"""The data each collector stores in a snapshot, as TypedDicts: the contract between collectors and differ.

Why a package of its own: the differ (and planner, render) must never import collector code, which
builds commands and reaches for config and transports; both sides import these pure types instead.
Each collector module re-exports its type and names it in `Collector.data_type`, and
tests/collectors/test_data_types.py checks recorded and freshly collected data against it.

How to read a type: a key is `NotRequired` when a snapshot may lack it, either because the collector
writes it only sometimes or because snapshots saved by an earlier driftctl (same schema version) do
not have it. Readers use `.get` for those keys and indexing for the others. Nested values that are
another library's model (a resolved Compose service) stay `dict[str, Any]`.
"""
