//! Criterion benchmarks for smppd live in `benches/benches/`.
