//! End-to-end and interoperability tests for smppd live in `tests/tests/`.
